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
    /// The tenant as the snapshot held it, before the journal was replayed: kept only for a
    /// compactor (`StateStore.load(keepingSnapshot:)`), which writes what changed since.
    var snapshotTenant: Tenant?
    /// Things the admin should be told (a torn journal line set aside, read-only mode).
    public var notices: [String]
    /// How far the journal was read, so the next refresh reads only what is new.
    var journalCursor: JournalCursor?
    /// Which tenant this is, across compactions (`DeskFile.lineage`): a snapshot switched in by
    /// a compaction of the same lineage is caught up from the journal, never loaded again.
    var lineage: String?
    /// The journal entry the snapshot this state was read from (or caught up over) ends at.
    var snapshotSequence = 0
    /// The desk file as last read, so a refresh need not decode it again while it is the same.
    var deskPosition: DeskPosition?
    /// Which whole load of this process made this state (0: none): a refresh that had to load
    /// again says it changed something, even at the same sequence.
    var loadNumber = 0
    /// How many journal entries lie beyond that snapshot: when it reaches the store's
    /// `compactionThreshold`, a compaction is due (`StateStore.isCompactionDue`).
    public var journalLength: Int { sequence - snapshotSequence }

    public init(tenant: Tenant, sequence: Int, versions: [String: ObjectVersion], notices: [String]) {
        self.tenant = tenant
        self.sequence = sequence
        self.versions = versions
        self.notices = notices
        // A state made whole in memory is its own snapshot: no journal beyond it.
        snapshotSequence = sequence
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
    /// A compaction is due once the journal holds this many entries.
    public var compactionThreshold = 500
    /// Who is told when a commit finds a compaction due (the command line starts a detached
    /// `licensedesk compact --background`); nil: nobody, and the journal grows until someone
    /// compacts. A commit never compacts itself.
    public var compactionTrigger: (any CompactionTrigger)?
    /// False: loads parse the JSON files even when a snapshot cache describes them (for
    /// measuring the JSON load, `bench-load`).
    public var readsCache = true
    /// A compaction writes a delta (`SnapshotDelta`) while the deltas' records stay within this
    /// share of the tenant's users and groups, and fewer than `maximumDeltas`; past that, the
    /// whole snapshot. A quarter: at worst a load reads a quarter of the records again as JSON,
    /// and the whole snapshot is written once in every (share × tenant ÷ 500) compactions.
    public var deltaShare = 0.25
    public var maximumDeltas = 64

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
    /// cost does not grow with the tenant: compaction happens elsewhere (`Compactor`).
    @discardableResult
    public func commit(
        _ change: TenantChange, context: ChangeContext, basedOn: [String: Int]? = nil, onto state: inout LoadedState,
        progress: ProcessingProgress? = nil, auditNote: String? = nil, identity: ActorIdentity? = nil
    ) throws -> ChangeEffects {
        try commit(change, context: context, basedOn: basedOn, onto: &state, progress: progress, auditNote: auditNote, onlyIf: nil, identity: identity)!
    }

    /// The same, but when `onlyIf` says no about the caught-up tenant (under the lock), nothing
    /// is applied or journaled and nil is returned.
    func commit(
        _ change: TenantChange, context: ChangeContext, basedOn: [String: Int]?, onto state: inout LoadedState,
        progress: ProcessingProgress?, auditNote: String?, onlyIf: ((Tenant) -> Bool)?, identity: ActorIdentity? = nil
    ) throws -> ChangeEffects? {
        // The journal keeps whole seconds; applying with the same time keeps replay identical.
        var context = context
        context.now = Date(timeIntervalSince1970: context.now.timeIntervalSince1970.rounded(.down))
        guard isWritable else { throw StateError.readOnly(directory: directory) }
        let effects = try commitLocked(
            change, context: context, basedOn: basedOn, onto: &state, progress: progress, auditNote: auditNote, onlyIf: onlyIf,
            identity: identity)
        // Past the lock: a compaction is never part of an admin's save (`CompactionTrigger`).
        if effects != nil, isCompactionDue(state) { compactionTrigger?.compactionIsDue(self) }
        return effects
    }

    private func commitLocked(
        _ change: TenantChange, context: ChangeContext, basedOn: [String: Int]?, onto state: inout LoadedState,
        progress: ProcessingProgress?, auditNote: String?, onlyIf: ((Tenant) -> Bool)?, identity: ActorIdentity?
    ) throws -> ChangeEffects? {
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let recovery = Recovery(store: self)
        if recovery.isNeeded { state.notices += try recovery.run() }
        _ = try refreshUnlocked(&state)
        if let onlyIf, !onlyIf(state.tenant) { return nil }
        for (object, seen) in basedOn ?? [:] {
            if let version = state.versions[object], version.sequence > seen {
                throw StateError.conflict(object: describe(object, in: state.tenant), version: version)
            }
        }
        var effects = try state.tenant.apply(change, context: context, progress: progress)
        // Why the change was made, in its audit records (an undo says so).
        if let auditNote {
            for index in effects.events.indices {
                effects.events[index].detail = auditNote + (effects.events[index].detail.isEmpty ? "" : ": " + effects.events[index].detail)
            }
        }
        var journalContext = context
        journalContext.roles = nil
        journalContext.timedOutGroups = effects.timedOutGroups.isEmpty ? nil : effects.timedOutGroups
        // Who the audit names: this process's user, or the admin a caller acts for (`serve`:
        // the token's admin, with the serving account's uid).
        let identity = identity ?? ActorIdentity.current()
        let entry = JournalEntry(
            sequence: state.sequence + 1, context: journalContext, change: change, basedOn: basedOn ?? [:], audit: effects.events,
            identity: identity)
        let line = try JournalLine.encode(entry)
        let appendedTo: FileIdentity
        do {
            appendedTo = try JournalWriter.append(line, to: path(StateFileName.journal), mode: fileMode)
        } catch {
            // Not durable, so not made: the state in hand goes back to what is on disk, so no
            // caller (the console above all) shows or builds on a change that was not saved.
            if let reloaded = try? loadUnlocked() { state = reloaded }
            throw error
        }
        // Durable from here: the change is made whatever fails below, and the caller is told
        // so with warnings, never an error.
        state.sequence = entry.sequence
        // The line went right after what was read: the cursor moves past it, else the next
        // read is a whole one.
        if var cursor = state.journalCursor, cursor.file.isSameFile(as: appendedTo), cursor.offset == appendedTo.size {
            cursor.offset += line.count
            cursor.file.size = cursor.offset
            cursor.sequence = entry.sequence
            cursor.checksummed = true
            cursor.lines += 1
            state.journalCursor = cursor
        } else if appendedTo.size == 0, entry.sequence == state.snapshotSequence + 1 {
            // The first line of an empty journal: this state read all there was.
            var identity = appendedTo
            identity.size = line.count
            state.journalCursor = JournalCursor(
                file: identity, offset: line.count, sequence: entry.sequence, snapshot: state.snapshotSequence, checksummed: true, lines: 1)
        } else {
            state.journalCursor = nil
        }
        for object in change.touchedObjects {
            state.versions[object] = ObjectVersion(
                sequence: entry.sequence, actor: context.actor, time: context.now, activity: change.activity)
        }
        do { try catchUpAudit(through: entry) } catch {
            state.notices.append(
                "change \(entry.sequence) is saved, but its audit record could not be written (\(error)); "
                    + "the journal keeps it and the next change writes it")
        }
        return effects
    }

    /// Folds the journal into the snapshot now (`licensedesk compact`), the way a background
    /// compaction does: written off the lock, switched in under it (`Compactor`).
    @discardableResult
    /// `whole`: the big lists written whole, their deltas folded in, even when a delta would do.
    public func compact(whole: Bool = false) throws(StateError) -> Compactor.Outcome {
        try Compactor(store: self).run(always: true, whole: whole)
    }

    /// The same from a state already in memory, brought up to date first: no second copy of
    /// the tenant is loaded (at a million users, two would not fit).
    @discardableResult
    public func compact(_ state: inout LoadedState) throws(StateError) -> Compactor.Outcome {
        _ = try refresh(&state)
        return try Compactor(store: self).run(from: state, always: true)
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
