import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// A state directory: Graph-shaped JSON files holding one tenant.
///
/// Every change goes through `commit(_:context:)`: lock, load, apply, write. The durability
/// work (journal, snapshots, conflict detection) belongs behind this one seam.
public struct StateStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = (directory as NSString).standardizingPath
    }

    /// `--state`, else `LICENSEDESK_STATE`, else `$XDG_STATE_HOME/licensedesk`, else
    /// `~/.local/state/licensedesk`.
    public static func resolveDirectory(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let flag, !flag.isEmpty { return flag }
        if let fromEnvironment = environment["LICENSEDESK_STATE"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/licensedesk" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/licensedesk"
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Whether the directory holds a tenant.
    public var exists: Bool { FileManager.default.fileExists(atPath: path(StateFileName.organization)) }

    // MARK: - Reading

    public func load() throws(StateError) -> Tenant {
        let organizations: GraphListFile<Organization> = try read(StateFileName.organization)
        guard let organization = organizations.value.first else {
            throw .unreadable(file: path(StateFileName.organization), line: nil, column: nil, reason: "value holds no organization")
        }
        let skus: GraphListFile<SubscribedSku> = try read(StateFileName.subscribedSkus)
        let users: GraphListFile<User> = try read(StateFileName.users)
        let groups: GraphListFile<Group> = try read(StateFileName.groups)
        let desk: DeskFile = try read(StateFileName.desk)
        var tenant = Tenant(
            organization: organization, subscribedSkus: skus.value, users: users.value, groups: groups.value,
            pending: desk.pending, settings: desk.settings)
        tenant.fileExtras = FileExtras(
            organization: organizations.extra, subscribedSkus: skus.extra, users: users.extra, groups: groups.extra)
        return tenant
    }

    private func read<T: Decodable>(_ name: String) throws(StateError) -> T {
        let file = path(name)
        guard let data = try DurableFile.read(file) else {
            throw .io(path: file, reason: "missing; run `licensedesk init` to create a tenant here")
        }
        if let version = Self.formatVersion(in: data), version > stateFormatVersion {
            throw .unsupportedVersion(file: file, found: version)
        }
        do { return try StateJSON.decoder().decode(T.self, from: data) } catch {
            throw DecodingErrorLocator.locate(error, in: data, file: file)
        }
    }

    private static func formatVersion(in data: Data) -> Int? {
        struct Probe: Decodable { var formatVersion: Int? }
        return (try? JSONDecoder().decode(Probe.self, from: data))?.formatVersion
    }

    // MARK: - Writing

    /// Writes every file of the tenant.
    public func save(_ tenant: Tenant) throws(StateError) {
        try createDirectory()
        let extras = tenant.fileExtras
        try write(StateFileName.organization, GraphListFile([tenant.organization]), extra: extras.organization)
        try write(StateFileName.subscribedSkus, GraphListFile(tenant.subscribedSkus), extra: extras.subscribedSkus)
        try write(StateFileName.users, GraphListFile(tenant.users), extra: extras.users)
        try write(StateFileName.groups, GraphListFile(tenant.groups), extra: extras.groups)
        try write(StateFileName.desk, DeskFile(formatVersion: stateFormatVersion, pending: tenant.pending, settings: tenant.settings))
    }

    private func write<T: Encodable>(_ name: String, _ value: GraphListFile<T>, extra: [String: JSONValue]) throws(StateError) {
        var file = value
        file.extra = extra
        try write(name, file)
    }

    private func write<T: Encodable>(_ name: String, _ value: T) throws(StateError) {
        let data: Data
        do { data = try StateJSON.encode(value) } catch { throw .io(path: path(name), reason: "could not encode: \(error)") }
        try DurableFile.replace(path(name), with: data)
    }

    func createDirectory() throws(StateError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .io(path: directory, reason: "is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o770])
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
    }

    // MARK: - Changes

    /// Applies a change to the stored tenant and writes it back, holding the directory lock.
    @discardableResult
    public func commit(_ change: TenantChange, context: ChangeContext) throws -> (Tenant, ChangeEffects) {
        try createDirectory()
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        var tenant = try load()
        let effects = try tenant.apply(change, context: context)
        try save(tenant)
        return (tenant, effects)
    }

    /// Writes a new tenant, refusing to replace one unless `force` is set.
    public func initialise(with tenant: Tenant, force: Bool) throws(StateError) {
        try createDirectory()
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        if exists && !force { throw .alreadyInitialised(directory: directory) }
        try save(tenant)
    }
}
