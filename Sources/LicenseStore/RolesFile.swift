import Foundation
import LicenseModel

/// `roles.json` in the state directory: OS users and groups → roles. Without the file every
/// admin may do everything. This is advisory: anyone who can write the state files can bypass
/// it (README, "Security").
///
/// ```json
/// {"users": {"alice": ["License Administrator"]}, "groups": {"helpdesk": ["Global Reader"]}}
/// ```
public struct RolesFile: Codable, Sendable {
    public var users: [String: [String]]
    public var groups: [String: [String]]
    enum CodingKeys: String, CodingKey { case users = "users", groups = "groups" }

    public init(users: [String: [String]] = [:], groups: [String: [String]] = [:]) {
        self.users = users
        self.groups = groups
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        users = try c.decodeIfPresent([String: [String]].self, forKey: .users) ?? [:]
        groups = try c.decodeIfPresent([String: [String]].self, forKey: .groups) ?? [:]
    }

    /// The roles of an identity, or nil when the directory has no roles file.
    static func rolesOf(_ identity: ActorIdentity, in directory: String) throws(StateError) -> Set<DirectoryRole>? {
        let path = (directory as NSString).appendingPathComponent(StateFileName.roles)
        guard let data = try DurableFile.read(path) else { return nil }
        let file: RolesFile
        do { file = try StateJSON.decoder().decode(RolesFile.self, from: data) } catch {
            throw DecodingErrorLocator.locate(error, in: data, file: path)
        }
        var names = file.users[identity.name] ?? []
        for group in identity.groups { names += file.groups[group] ?? [] }
        var roles: Set<DirectoryRole> = []
        for name in names {
            guard let role = DirectoryRole.named(name) else {
                throw .unreadable(
                    file: path, line: nil, column: nil,
                    reason: "\"\(name)\" is not a role; use one of " + DirectoryRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            roles.insert(role)
        }
        return roles
    }
}

extension StateStore {
    /// The roles the directory's roles file gives an identity; nil when there is no roles file.
    public static func roles(for identity: ActorIdentity, in directory: String) throws(StateError) -> Set<DirectoryRole>? {
        try RolesFile.rolesOf(identity, in: directory)
    }
}
