import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// Folds the journal into the snapshot without making anyone wait.
///
/// The state to write is a value at one journal sequence, so the files are written from it
/// with no lock at all, as `.staged` files that nobody else reads, while admins go on
/// committing to the journal. Only the switch holds the state's lock: renames, the commit
/// record, and the journal cut to the entries that came after — a few milliseconds whatever
/// the tenant's size. One compactor runs at a time (`compaction.lock`); a second one finds it
/// busy and leaves.
public struct Compactor: Sendable {
    public let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// What one compaction did, for `bench` and the log.
    public struct Report: Sendable {
        /// The journal entry the new snapshot ends at.
        public var sequence: Int
        /// Journal entries folded in.
        public var entries: Int
        /// Bytes written: the snapshot files and the cache.
        public var bytesWritten: Int
        /// Writing the files, with no lock held.
        public var stagingSeconds: Double
        /// Holding the state's lock to put them in place.
        public var switchSeconds: Double
        /// Waiting for the state's lock first (behind admins' saves; nobody waits for this).
        public var lockWaitSeconds: Double
        /// Records written as a delta (`SnapshotDelta`); nil: the whole snapshot was written.
        public var deltaRecords: Int?
    }

    public enum Outcome: Sendable {
        case compacted(Report)
        /// Another compactor holds `compaction.lock`.
        case busy
        /// The snapshot already holds every journal entry.
        case nothingToDo
    }

    /// Compacts from `state` when given (a consistent view already in memory), else from a
    /// lock-free load. The result is the same either way. `always`: even when the journal
    /// holds nothing new (an admin's `compact` after editing a file by hand).
    public func run(from given: LoadedState? = nil, always: Bool = false, whole: Bool = false) throws(StateError) -> Outcome {
        guard store.isWritable else { throw .readOnly(directory: store.directory) }
        try store.requireMaintainer()
        guard let compactionLock = try DirectoryLock.attempt(directory: store.directory, file: StateFileName.compactionLock) else {
            return .busy
        }
        defer { withExtendedLifetime(compactionLock) {} }
        // `compaction.started` says a compactor started and has not ended: one killed before it
        // could record why leaves it, and the trigger waits a minute before the next. (Removed,
        // not touched back: any teammate may remove it; only its owner could set its time.)
        let startedPath = store.path(StateFileName.compactionStarted)
        unlink(startedPath)
        let marker = open(startedPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, store.fileMode)
        if marker >= 0 { close(marker) }
        defer { unlink(startedPath) }
        let files = SnapshotFiles(store: store)
        files.removeStaged()  // what a compactor that died left
        files.removeUnlistedDeltas()
        var state: LoadedState
        // The snapshot as read is kept beside the state, to tell what changed since (`TenantDiff`).
        if let given { state = given } else { state = try store.load(keepingSnapshot: !whole) }
        let inPlace = try files.readDeskPosition(known: state.deskPosition)
        guard state.sequence > inPlace.journalSequence || (always && state.sequence == inPlace.journalSequence) else {
            return .nothingToDo
        }
        let started = Date()
        let delta = whole || state.sequence == inPlace.journalSequence ? nil : try deltaPlan(for: state, inPlace: inPlace)
        state.snapshotTenant = nil
        var staged: StagedSnapshot
        do { staged = try files.stage(state, delta: delta) } catch {
            files.removeStaged()
            throw error
        }
        files.prepareJournal(&staged)
        let switching = Date()
        let held = try store.switchSnapshot(to: staged)
        let switched = Date()
        files.removeRetired()
        guard let held else {
            files.removeStaged()
            return .nothingToDo
        }
        // A whole snapshot replaces every delta: theirs go now (a reader still reading them
        // finds the snapshot moved on and reads again).
        if staged.deltaFiles == nil { files.removeUnlistedDeltas() }
        files.removeStaged()  // a history staged with nothing in it, say
        return .compacted(
            Report(
                sequence: staged.sequence, entries: staged.sequence - inPlace.journalSequence, bytesWritten: staged.bytes,
                stagingSeconds: switching.timeIntervalSince(started), switchSeconds: held,
                lockWaitSeconds: max(0, switched.timeIntervalSince(switching) - held), deltaRecords: delta?.diff.records))
    }

    /// A delta over the snapshot in place when one holds the changes and the deltas stay a
    /// small part of the tenant (`StateStore.deltaShare`, `maximumDeltas`); nil: the whole
    /// snapshot is written, and the deltas start again from it.
    private func deltaPlan(for state: LoadedState, inPlace: DeskPosition) throws(StateError) -> DeltaPlan? {
        guard let base = state.snapshotTenant, state.snapshotSequence == inPlace.journalSequence, state.lineage == inPlace.lineage else {
            return nil
        }
        let desk = try SnapshotFiles(store: store).readDesk()
        guard desk.journalSequence == state.snapshotSequence, let listed = try? desk.checkedDeltas(file: store.path(StateFileName.desk)),
            listed.count < store.maximumDeltas, let diff = TenantDiff(base: base, now: state.tenant)
        else { return nil }
        let records = listed.map(\.records).reduce(0, +) + diff.records
        guard Double(records) <= store.deltaShare * Double(max(1, base.users.count + base.groups.count)) else { return nil }
        return DeltaPlan(diff: diff, listed: listed, baseSequence: state.snapshotSequence)
    }
}

extension Compactor {
    /// Whether a compactor holds `compaction.lock` this moment.
    public static func isRunning(in store: StateStore) -> Bool {
        guard DurableFile.isPresent(store.path(StateFileName.compactionLock)) else { return false }
        do { return try DirectoryLock.attempt(directory: store.directory, file: StateFileName.compactionLock) == nil } catch { return false }
    }
}

extension StateStore {
    /// Whether the journal in `state` has grown to `compactionThreshold` entries.
    public func isCompactionDue(_ state: LoadedState) -> Bool { state.journalLength >= compactionThreshold }

    /// Puts a staged snapshot in place under the state's lock, unless the state moved on in a
    /// way that makes it wrong: started over (another lineage), or already compacted as far.
    /// How long the lock was held, or nil when it was not put in place.
    func switchSnapshot(to staged: StagedSnapshot) throws(StateError) -> Double? {
        // The desk file holds every object's version (megabytes): read before the lock, and
        // under it only checked to be the same file.
        let files = SnapshotFiles(store: self)
        let before = try files.readDeskPosition(known: nil)
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let locked = Date()
        let recovery = Recovery(store: self)
        if recovery.isNeeded { _ = try recovery.run() }
        let inPlace = try files.readDeskPosition(known: before)
        guard inPlace.lineage == staged.madeFromLineage, inPlace.journalSequence <= staged.sequence else { return nil }
        // A delta goes over exactly the snapshot it was made against.
        if let base = staged.baseSequence, inPlace.journalSequence != base { return nil }
        try files.switchTo(staged)
        return Date().timeIntervalSince(locked)
    }
}
