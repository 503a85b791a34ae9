import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// Creating a tenant, starting over, and the role checks for actions outside `TenantChange`.
extension StateStore {
    /// Writes a new tenant, refusing to replace one unless `force` is set. With `force`, the
    /// state that was there (whole or damaged) is moved aside into a dated folder, never deleted
    /// (`StartOver`), and the start-over is audited. When the directory has a roles file, only a
    /// Global Administrator may do either. With a `group`, the directory (new or already there)
    /// and its files are handed to that OS group first. Returns the folder the old state went to.
    @discardableResult
    public func initialise(
        with tenant: Tenant, force: Bool, access: AccessMode = .shared, group: SharedGroup? = nil, activity: String = "Create tenant"
    ) throws(StateError) -> String? {
        try createDirectory(access: access)
        let identity = ActorIdentity.current()
        try requireRole(.globalAdministrator, for: "creating or replacing a tenant", identity: identity)
        if let group {
            if exists && !force { throw .alreadyInitialised(directory: directory) }
            try group.adopt(directory: directory)
        }
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        if exists && !force { throw .alreadyInitialised(directory: directory) }
        var movedAside: StartOver.MovedAside?
        if exists { movedAside = try StartOver(store: self).moveAside() }
        let sequence = (movedAside?.lastSequence ?? 0) + (movedAside == nil ? 0 : 1)
        do {
            try SnapshotFiles(store: self).compact(LoadedState(tenant: tenant, sequence: sequence, versions: [:], notices: []))
        } catch {
            // The new tenant could not be written: the old one goes back where it was.
            if let movedAside { StartOver(store: self).moveBack(movedAside) }
            throw error
        }
        // Files that existed before (a forced re-init) keep their group only if adopted again.
        if let group { try group.adopt(directory: directory) }
        let detail = movedAside.map { "the previous state was moved aside into \($0.folder)" } ?? ""
        let event = AuditEvent(
            activity: movedAside == nil ? activity : activity + " (replacing the previous tenant)",
            target: tenant.organization.displayName, detail: detail, actor: identity.name, time: Date())
        // The tenant is durable; an audit record that can't be written is reported, not fatal.
        try? appendAuditRecords([event], sequence: sequence, identity: identity)
        return movedAside?.folder
    }

    /// Compaction changes no object but rewrites every file: any admin role but Global Reader.
    func requireMaintainer() throws(StateError) {
        let writers = Set(DirectoryRole.allCases).subtracting([.globalReader])
        try requireRole(.globalAdministrator, orAnyOf: writers, for: "compacting the state", identity: ActorIdentity.current())
    }

    /// Refuses an action the roles file does not allow this identity (no roles file: allowed).
    /// For actions outside `TenantChange`, which the model checks itself.
    func requireRole(_ role: DirectoryRole, orAnyOf others: Set<DirectoryRole> = [], for action: String, identity: ActorIdentity)
        throws(StateError)
    {
        guard let roles = try StateStore.roles(for: identity, in: directory) else { return }
        if roles.contains(.globalAdministrator) || roles.contains(role) || !roles.isDisjoint(with: others) { return }
        let held = roles.isEmpty ? "no role" : roles.map(\.rawValue).sorted().joined(separator: ", ")
        throw .notPermitted(action: action, needs: role.rawValue, holds: held)
    }
}
