import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// A tenant as loaded: the snapshot with the journal replayed on top.
public struct LoadedState: Sendable {
    public var tenant: Tenant
    /// The last journal entry applied.
    public var sequence: Int
    /// Who last changed each object.
    public var versions: [String: ObjectVersion]
    /// Things the admin should be told (a torn journal line set aside, read-only mode).
    public var notices: [String]

    public init(tenant: Tenant, sequence: Int, versions: [String: ObjectVersion], notices: [String]) {
        self.tenant = tenant
        self.sequence = sequence
        self.versions = versions
        self.notices = notices
    }

    /// The versions of a change's objects as this state saw them: what `commit` checks.
    public func basedOn(_ change: TenantChange) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: change.touchedObjects.map { ($0, versions[$0]?.sequence ?? 0) })
    }
}

/// What a commit did.
public struct CommitResult: Sendable {
    public var state: LoadedState
    public var effects: ChangeEffects
    public init(state: LoadedState, effects: ChangeEffects) {
        self.state = state
        self.effects = effects
    }
}

/// A state directory: Graph-shaped snapshot files plus a journal of changes since.
///
/// Every change goes through `commit`: under an exclusive lock it loads, checks the versions the
/// change was made against, applies it, appends it to the journal and fsyncs before returning.
/// The cost of that write does not grow with the tenant. Snapshots are the journal compacted.
public struct StateStore: Sendable {
    public let directory: String
    /// Compact once the journal holds this many entries.
    public var compactionThreshold = 500

    public init(directory: String) {
        self.directory = (directory as NSString).standardizingPath
    }

    /// `--state`, else `LICENSEDESK_STATE`, else `$XDG_STATE_HOME/licensedesk`, else
    /// `~/.local/state/licensedesk`.
    public static func resolveDirectory(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let flag, !flag.isEmpty { return absolute(flag) }
        if let fromEnvironment = environment["LICENSEDESK_STATE"], !fromEnvironment.isEmpty { return absolute(fromEnvironment) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/licensedesk" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/licensedesk"
    }

    /// `--state st` means `./st`: messages, locks and the parent folder all need the full path.
    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        guard !expanded.hasPrefix("/") else { return expanded }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Whether the directory holds a tenant, or some of one (a damaged state is never new).
    public var exists: Bool {
        if case .new = condition { return false }
        return true
    }

    /// Whether this user may change the state.
    public var isWritable: Bool { access(directory, W_OK) == 0 }

    var fileMode: mode_t { Self.fileMode(forDirectory: directory) }

    /// 0600 in a private directory (no group bits), else 0660.
    static func fileMode(forDirectory directory: String) -> mode_t {
        var info = stat()
        guard stat(directory, &info) == 0 else { return 0o660 }
        return info.st_mode & 0o070 == 0 ? 0o600 : 0o660
    }

    // MARK: - Loading

    /// Loads without waiting for writers: the files are read with no lock and the read is
    /// kept only if no snapshot file was replaced meanwhile (`SnapshotGeneration`), so a reader
    /// never waits behind a long processing run or a compaction. What a crash left is put
    /// right on disk when this process can write and the lock is free at once; otherwise (a
    /// reader without write access, a full disk, a writer busy) it is recovered in memory.
    public func load() throws(StateError) -> LoadedState {
        try requireTenant()
        var notices: [String] = []
        if isWritable, Recovery(store: self).isNeeded,
            let exclusive = try? DirectoryLock(directory: directory, exclusive: true, wait: false)
        {
            defer { withExtendedLifetime(exclusive) {} }
            do {
                notices = try Recovery(store: self).run()
                var state = try loadUnlocked()
                state.notices = notices + state.notices
                rebuildCacheIfMissing(after: state)
                return state
            } catch {
                notices.append("could not put right what a crash left (\(error)); read it as it stands, in memory")
            }
        }
        var state = try loadConsistent()
        state.notices = notices + state.notices
        if !isWritable { state.notices.append("read-only: \(directory) can't be written by you; changes are refused") }
        return state
    }

    /// The tenant alone.
    public func loadTenant() throws(StateError) -> Tenant { try load().tenant }

    /// A lock-free read that holds: retried while snapshot files are being replaced, and after
    /// a few tries done under the shared lock (which then waits for the writer, once).
    func loadConsistent() throws(StateError) -> LoadedState {
        for _ in 0..<4 {
            let before = SnapshotGeneration(store: self)
            do {
                let state = try loadUnlocked()
                if SnapshotGeneration(store: self) == before { return state }
            } catch {
                // A file replaced mid-read can look damaged: only an error that holds still is real.
                if SnapshotGeneration(store: self) == before { throw error }
            }
        }
        let lock = try DirectoryLock(directory: directory, exclusive: false)
        defer { withExtendedLifetime(lock) {} }
        return try loadUnlocked()
    }

    /// Reads the snapshot and replays the journal on it, taking no lock. With a compaction
    /// past its commit point but not rolled into place, its `.next` files are the snapshot
    /// (recovery in memory). The audit log's end is read first: it is written after the
    /// journal, so a later journal read that ends before it means entries were lost.
    func loadUnlocked() throws(StateError) -> LoadedState {
        let auditEnd = (try? AuditTail.read(path(StateFileName.audit)))?.lastSequence ?? 0
        let (tenant, desk) = try SnapshotFiles(store: self).read()
        var state = LoadedState(tenant: tenant, sequence: desk.journalSequence, versions: desk.versions, notices: [])
        let journal = try DurableFile.read(path(StateFileName.journal)).map { data throws(StateError) in
            try JournalReader.read(data, file: path(StateFileName.journal), snapshot: state.sequence)
        } ?? JournalContents()
        for entry in journal.entries where entry.sequence > state.sequence {
            try replay(entry, into: &state)
        }
        try checkNothingLost(journalEnds: state.sequence, auditEnds: auditEnd)
        if journal.tornTail != nil {
            state.notices.append("the journal's last line is incomplete (a crash, or a change being written this moment); it was not applied")
        }
        return state
    }

    /// After a roll-forward the snapshot has no cache, and every load would parse the JSON:
    /// write one when the state in hand is exactly the snapshot. Caller holds the lock.
    func rebuildCacheIfMissing(after state: LoadedState) {
        guard !DurableFile.isPresent(path(StateFileName.cache)),
            let desk = try? SnapshotFiles(store: self).readDesk(), desk.journalSequence == state.sequence
        else { return }
        let extras = state.tenant.fileExtras
        SnapshotCache(store: self).write(
            users: state.tenant.users, groups: state.tenant.groups, usersExtra: extras.users, groupsExtra: extras.groups)
    }

    func replay(_ entry: JournalEntry, into state: inout LoadedState) throws(StateError) {
        var context = entry.context
        context.roles = nil  // checked when the change was first made
        do { try state.tenant.apply(entry.change, context: context) } catch {
            throw .unreadable(
                file: path(StateFileName.journal), line: nil, column: nil,
                reason: "entry \(entry.sequence) no longer applies: \(error)")
        }
        state.sequence = entry.sequence
        for object in entry.change.touchedObjects {
            state.versions[object] = ObjectVersion(
                sequence: entry.sequence, actor: entry.context.actor, time: entry.context.now, activity: entry.change.activity)
        }
    }

    /// Brings a loaded state up to date with changes other admins committed since; returns
    /// whether anything changed. Falls back to a full load after a compaction.
    public func refresh(_ state: inout LoadedState, waiting: Bool = true) throws(StateError) -> Bool {
        // No lock: readers never wait for writers. A compaction or recovery that replaced files
        // meanwhile makes this a full lock-free load instead.
        let before = state.sequence
        let generation = SnapshotGeneration(store: self)
        do {
            _ = try refreshUnlocked(&state)
            if SnapshotGeneration(store: self) != generation { state = try loadConsistent() }
        } catch {
            state = try loadConsistent()
        }
        return state.sequence != before
    }

    /// Replays journal entries newer than `state`; returns how many lines the journal holds.
    func refreshUnlocked(_ state: inout LoadedState) throws(StateError) -> Int {
        let desk = try SnapshotFiles(store: self).readDesk()
        if desk.journalSequence > state.sequence {
            // Compacted past what we hold: the journal no longer has our entries.
            state = try loadUnlocked()
            return 0
        }
        guard let data = try DurableFile.read(path(StateFileName.journal)) else { return 0 }
        let journal = try JournalReader.read(data, file: path(StateFileName.journal), snapshot: desk.journalSequence)
        for entry in journal.entries where entry.sequence > state.sequence {
            try replay(entry, into: &state)
        }
        return journal.entries.count
    }

    // MARK: - Changing

    /// Applies a change to the stored tenant and makes it durable, loading the state first.
    @discardableResult
    public func commit(_ change: TenantChange, context: ChangeContext, basedOn: [String: Int]? = nil) throws -> CommitResult {
        guard isWritable else { throw StateError.readOnly(directory: directory) }
        var state = try load()
        let effects = try commit(change, context: context, basedOn: basedOn, onto: &state)
        return CommitResult(state: state, effects: effects)
    }

    /// Applies a change to `state` and makes it durable: under the exclusive lock, first brings
    /// `state` up to date with what others committed (reading only the journal), then checks
    /// `basedOn` — the version of each object the admin saw — and refuses a change to an object
    /// someone changed since (`StateError.conflict`), then applies, appends and fsyncs. The
    /// cost does not grow with the tenant, but for the occasional compaction.
    @discardableResult
    public func commit(
        _ change: TenantChange, context: ChangeContext, basedOn: [String: Int]? = nil, onto state: inout LoadedState,
        progress: ProcessingProgress? = nil
    ) throws -> ChangeEffects {
        // The journal keeps whole seconds; applying with the same time keeps replay identical.
        var context = context
        context.now = Date(timeIntervalSince1970: context.now.timeIntervalSince1970.rounded(.down))
        guard isWritable else { throw StateError.readOnly(directory: directory) }
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let recovery = Recovery(store: self)
        if recovery.isNeeded { state.notices += try recovery.run() }
        let journalLines = try refreshUnlocked(&state)
        for (object, seen) in basedOn ?? [:] {
            if let version = state.versions[object], version.sequence > seen {
                throw StateError.conflict(object: describe(object, in: state.tenant), version: version)
            }
        }
        let effects = try state.tenant.apply(change, context: context, progress: progress)
        var journalContext = context
        journalContext.roles = nil
        let identity = ActorIdentity.current()
        let entry = JournalEntry(
            sequence: state.sequence + 1, context: journalContext, change: change, basedOn: basedOn ?? [:], audit: effects.events,
            identity: identity)
        do {
            try JournalWriter.append(try JournalLine.encode(entry), to: path(StateFileName.journal), mode: fileMode)
        } catch {
            // Not durable, so not made: the state in hand goes back to what is on disk, so no
            // caller (the console above all) shows or builds on a change that was not saved.
            if let reloaded = try? loadUnlocked() { state = reloaded }
            throw error
        }
        // Durable from here: the change is made whatever fails below, and the caller is told
        // so with warnings, never an error.
        state.sequence = entry.sequence
        for object in change.touchedObjects {
            state.versions[object] = ObjectVersion(
                sequence: entry.sequence, actor: context.actor, time: context.now, activity: change.activity)
        }
        do { try catchUpAudit(through: entry) } catch {
            state.notices.append(
                "change \(entry.sequence) is saved, but its audit record could not be written (\(error)); "
                    + "the journal keeps it and the next change writes it")
        }
        if journalLines + 1 >= compactionThreshold {
            do { try SnapshotFiles(store: self).compact(state) } catch {
                state.notices.append("change \(entry.sequence) is saved; folding the journal into the snapshot failed (\(error)) and is tried again on the next change")
            }
        }
        return effects
    }

    /// Rewrites the snapshot from the journal and empties the journal.
    public func compact() throws(StateError) {
        guard isWritable else { throw .readOnly(directory: directory) }
        try requireMaintainer()
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        _ = try Recovery(store: self).run()
        try SnapshotFiles(store: self).compact(try loadUnlocked())
    }

    /// Compacts from a state already in memory: brings it up to date with the journal under the
    /// lock, then writes it as the snapshot. The same result as `compact()` without loading a
    /// second copy of the tenant beside the one held (at a million users, two would not fit).
    public func compact(_ state: inout LoadedState) throws(StateError) {
        guard isWritable else { throw .readOnly(directory: directory) }
        try requireMaintainer()
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let recovery = Recovery(store: self)
        if recovery.isNeeded { state.notices += try recovery.run() }
        _ = try refreshUnlocked(&state)
        try SnapshotFiles(store: self).compact(state)
    }

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
        try SnapshotFiles(store: self).compact(LoadedState(tenant: tenant, sequence: sequence, versions: [:], notices: []))
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

    func encodeLine<T: Encodable>(_ value: T) throws(StateError) -> Data {
        do { return try StateJSON.line(value) } catch { throw .io(path: directory, reason: "could not encode: \(error)") }
    }

    private func describe(_ object: String, in tenant: Tenant) -> String {
        if let user = tenant.user(id: object) { return "user \(user.userPrincipalName)" }
        if let group = tenant.group(id: object) { return "group \(group.displayName)" }
        if let sku = tenant.sku(id: object) { return "SKU \(sku.skuPartNumber)" }
        return object
    }

    // MARK: - The directory

    func createDirectory(access: AccessMode) throws(StateError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .io(path: directory, reason: "is not a directory") }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw .io(path: parent, reason: error.localizedDescription)
        }
        guard mkdir(directory, 0o700) == 0 else { throw .io(path: directory, reason: String(cString: strerror(errno))) }
        // Explicit modes, whatever the admin's umask: setgid group-shared (no sticky bit, which
        // would stop admins renaming each other's files), or private.
        chmod(directory, access == .shared ? 0o2770 : 0o700)
    }
}

/// Who may open a new state directory.
public enum AccessMode: Sendable {
    /// `2770` directory, `0660` files: every member of the directory's group.
    case shared
    /// `0700` directory, `0600` files: this user only.
    case `private`
}
