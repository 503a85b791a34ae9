import Foundation
import LicenseModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Whole loads in this process (snapshot read and journal replayed), for `bench`'s reader: a
/// refresh that follows a compaction should never add one.
private let wholeLoadCounter = Atomic<Int>(0)

/// Reading a state: lock-free, consistent by file identity, recovering in memory when it must.
extension StateStore {
    /// How many times this process has loaded a state whole.
    public static var wholeLoads: Int { wholeLoadCounter.load(ordering: .relaxed) }

    /// Loads without waiting for writers: the files are read with no lock and the read is
    /// kept only if no snapshot file was replaced meanwhile (`SnapshotGeneration`), so a reader
    /// never waits behind a long processing run or a compaction. What a crash left is put
    /// right on disk when this process can write and the lock is free at once; otherwise (a
    /// reader without write access, a full disk, a writer busy) it is recovered in memory.
    public func load() throws(StateError) -> LoadedState { try load(keepingSnapshot: false) }

    /// `keepingSnapshot`: also the tenant as the snapshot held it (`LoadedState.snapshotTenant`).
    func load(keepingSnapshot: Bool) throws(StateError) -> LoadedState {
        try requireTenant()
        var notices: [String] = []
        if isWritable, Recovery(store: self).isNeeded,
            let exclusive = try? DirectoryLock(directory: directory, exclusive: true, wait: false)
        {
            defer { withExtendedLifetime(exclusive) {} }
            do {
                notices = try Recovery(store: self).run()
                var state = try loadUnlocked(keepingSnapshot: keepingSnapshot)
                state.notices = notices + state.notices
                rebuildCacheIfMissing(after: state)
                return state
            } catch {
                notices.append("could not put right what a crash left (\(error)); read it as it stands, in memory")
            }
        }
        var state = try loadConsistent(keepingSnapshot: keepingSnapshot)
        state.notices = notices + state.notices
        if !isWritable { state.notices.append("read-only: \(directory) can't be written by you; changes are refused") }
        return state
    }

    /// The tenant alone.
    public func loadTenant() throws(StateError) -> Tenant { try load().tenant }

    /// A lock-free read that holds: retried while snapshot files are being replaced, and after
    /// a few tries done under the shared lock (which then waits for the writer, once).
    func loadConsistent(keepingSnapshot: Bool = false) throws(StateError) -> LoadedState {
        for _ in 0..<4 {
            let before = SnapshotGeneration(store: self)
            do {
                let state = try loadUnlocked(keepingSnapshot: keepingSnapshot)
                if SnapshotGeneration(store: self) == before { return state }
            } catch {
                // A file replaced mid-read can look damaged: only an error that holds still is real.
                if SnapshotGeneration(store: self) == before { throw error }
            }
        }
        let lock = try DirectoryLock(directory: directory, exclusive: false)
        defer { withExtendedLifetime(lock) {} }
        return try loadUnlocked(keepingSnapshot: keepingSnapshot)
    }

    /// Reads the snapshot and replays the journal on it, taking no lock. With a compaction
    /// past its commit point but not rolled into place, its `.next` files are the snapshot
    /// (recovery in memory). The audit log's end is read first: it is written after the
    /// journal, so a later journal read that ends before it means entries were lost.
    func loadUnlocked(keepingSnapshot: Bool = false) throws(StateError) -> LoadedState {
        let loadNumber = wholeLoadCounter.add(1, ordering: .relaxed).newValue
        let auditEnd = (try? AuditTail.read(path(StateFileName.audit)))?.lastSequence ?? 0
        let (tenant, desk) = try SnapshotFiles(store: self).read()
        var state = LoadedState(tenant: tenant, sequence: desk.journalSequence, versions: desk.versions, notices: [])
        state.lineage = desk.lineage
        state.snapshotSequence = desk.journalSequence
        state.loadNumber = loadNumber
        if keepingSnapshot { state.snapshotTenant = tenant }
        var position = DeskPosition(
            journalSequence: desk.journalSequence, lineage: desk.lineage, journalCut: desk.journalCut, journalCutFrom: desk.journalCutFrom)
        // Which file that was: the consistent load around this checks it held still.
        position.identity = SnapshotCache.FileIdentity(path: SnapshotFiles(store: self).readPath(StateFileName.desk))
        state.deskPosition = position
        // The bytes and the file's identity from one open: the cursor names the file read.
        let read = try DurableFile.readTail(path(StateFileName.journal), from: 0)
        let journal =
            try read.map { whole throws(StateError) in
                try JournalReader.read(whole.data, file: path(StateFileName.journal), snapshot: state.sequence)
            } ?? JournalContents()
        for entry in journal.entries where entry.sequence > state.sequence {
            try replay(entry, into: &state)
        }
        if let read, (journal.entries.last?.sequence ?? desk.journalSequence) == state.sequence {
            state.journalCursor = JournalCursor(
                file: read.identity, offset: journal.goodLength, sequence: state.sequence, snapshot: desk.journalSequence,
                checksummed: journal.checksummed, lines: journal.entries.count)
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
            let desk = try? SnapshotFiles(store: self).readDesk(), desk.journalSequence == state.sequence,
            // The cache holds the base files alone; a tenant with deltas applied is not them.
            desk.snapshotDeltas?.isEmpty ?? true
        else { return }
        let extras = state.tenant.fileExtras
        SnapshotCache(store: self).write(
            users: state.tenant.users, groups: state.tenant.groups, usersExtra: extras.users, groupsExtra: extras.groups)
    }

    func replay(_ entry: JournalEntry, into state: inout LoadedState) throws(StateError) {
        var context = entry.context
        context.roles = nil  // checked when the change was first made
        context.isReplay = true
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

}

extension StateStore {
    /// Runs the queued work if there is any once the lock is held and the state is caught up,
    /// else journals nothing and returns nil: several consoles may each offer to process, and
    /// only the first to get the lock does the work (the others find the queue empty).
    public func processIfPending(
        context: ChangeContext, onto state: inout LoadedState, progress: ProcessingProgress? = nil, identity: ActorIdentity? = nil
    ) throws -> ChangeEffects? {
        try commit(
            .processPending, context: context, basedOn: nil, onto: &state, progress: progress, auditNote: nil, onlyIf: { $0.hasRunnableWork },
            identity: identity)
    }
}
