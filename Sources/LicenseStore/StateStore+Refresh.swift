import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// Following a state in memory as others change it: the journal read on from where it was,
/// across compactions of the same tenant, without loading the tenant again.
extension StateStore {
    /// Brings a loaded state up to date with changes other admins committed since; returns
    /// whether anything changed. A compaction of the same tenant is followed; only another
    /// tenant (a start over), files replaced by hand, or lost history make it a whole load.
    public func refresh(_ state: inout LoadedState, waiting: Bool = true) throws(StateError) -> Bool {
        // No lock: readers never wait for writers. A compaction or recovery that replaced files
        // meanwhile makes this a full lock-free load instead.
        let before = state.sequence
        let loadBefore = state.loadNumber
        do {
            // A compaction that switched snapshots meanwhile is caught up with from the
            // journal and its history (the same tenant, further on), not loaded again; files
            // replaced any other way (by hand, a start over) make it a whole load.
            // A read that fails while files are being switched is tried again; the state in
            // hand is whole at its sequence whatever fails (entries apply one at a time).
            var settled = false
            var replacedOtherwise = false
            for _ in 0..<4 where !settled {
                let generation = SnapshotGeneration(store: self)
                let snapshotBefore = state.snapshotSequence
                do { _ = try refreshUnlocked(&state) } catch {
                    if SnapshotGeneration(store: self) != generation { continue }
                    throw error
                }
                settled = SnapshotGeneration(store: self) == generation
                if !settled, try !movedOnByCompaction(from: snapshotBefore, state) {
                    replacedOtherwise = true
                    break
                }
            }
            if replacedOtherwise {
                state = try loadConsistent()
            } else if !settled {
                // Files kept moving (a switch's renames spread over its fsyncs): read on under
                // the shared lock, which waits only for the switch to end, instead of loading
                // the tenant again.
                let lock = try DirectoryLock(directory: directory, exclusive: false)
                defer { withExtendedLifetime(lock) {} }
                _ = try refreshUnlocked(&state)
            }
        } catch {
            state = try loadConsistent()
        }
        // A tenant read again whole may differ at the same sequence (a file edited by hand).
        return state.sequence != before || state.loadNumber != loadBefore
    }

    /// Replays journal entries newer than `state`; returns how many lines the journal holds.
    func refreshUnlocked(_ state: inout LoadedState) throws(StateError) -> Int {
        let known = state.deskPosition
        let desk = try SnapshotFiles(store: self).readDeskPosition(known: known)
        // The snapshot written again at the same sequence: `compact` after a file was edited
        // by hand. Nothing in the journal says what changed, so the tenant is read again.
        if let was = known?.identity, let now = desk.identity, was != now, desk.journalSequence == state.snapshotSequence,
            desk.journalSequence == known?.journalSequence
        {
            state = try loadUnlocked()
            return state.journalLength
        }
        state.deskPosition = desk
        if desk.journalSequence > state.sequence {
            // Compacted past what we hold: the journal no longer has our entries, but the
            // history the compaction kept does. Only a state of another lineage, or history
            // that is not all there, is loaded again.
            guard let lineage = desk.lineage, lineage == state.lineage,
                let missed = JournalHistory(store: self).entries(after: state.sequence, through: desk.journalSequence)
            else {
                state = try loadUnlocked()
                return 0
            }
            for entry in missed { try replay(entry, into: &state) }
            state.journalCursor = nil
        }
        if desk.journalSequence != state.snapshotSequence {
            guard desk.lineage != nil, desk.lineage == state.lineage, desk.journalSequence > state.snapshotSequence else {
                state = try loadUnlocked()
                return state.journalLength
            }
            // The compaction cut the journal's front, byte for byte: a cursor past the cut
            // reads on from as far into the new journal (checked below, entry by entry;
            // anything else is a whole read).
            if var cursor = state.journalCursor, let cut = desk.journalCut, cursor.snapshot == state.snapshotSequence,
                desk.journalCutFrom == cursor.snapshot, cursor.sequence >= desk.journalSequence, cursor.offset >= cut,
                entryEnding(at: cursor.offset - cut) == (cursor.offset == cut ? nil : cursor.sequence)
            {
                cursor.offset -= cut
                cursor.snapshot = desk.journalSequence
                cursor.lines = cursor.sequence - desk.journalSequence
                cursor.movedByCompaction = true
                state.journalCursor = cursor
            } else {
                state.journalCursor = nil
            }
            state.snapshotSequence = desk.journalSequence
        }
        let file = path(StateFileName.journal)
        // Only what was appended since the last read, when it is the same journal on the same
        // snapshot, not cut back, and this state is where that read left it.
        if let cursor = state.journalCursor, cursor.snapshot == desk.journalSequence, cursor.sequence == state.sequence,
            let tail = try DurableFile.readTail(file, from: cursor.offset),
            tail.identity.isSameFile(as: cursor.file) || cursor.movedByCompaction, tail.identity.size >= cursor.offset,
            // A tail that does not go on from the cursor (the journal was rewritten in place)
            // is read again whole, where damage is told with its true line number.
            let journal = try? JournalReader.read(
                tail.data, file: file, after: cursor.sequence, checksummed: cursor.checksummed, firstLine: cursor.lines + 1)
        {
            for entry in journal.entries { try replay(entry, into: &state) }
            var moved = cursor
            moved.offset += journal.goodLength
            moved.file = tail.identity
            moved.movedByCompaction = false
            moved.sequence = state.sequence
            moved.checksummed = journal.entries.isEmpty ? cursor.checksummed : journal.checksummed
            moved.lines += journal.entries.count
            state.journalCursor = moved
            return moved.lines
        }
        // A whole read: the bytes and the file's identity come from one open, so a journal
        // renamed into place meanwhile can't be taken for the one that was read.
        guard let whole = try DurableFile.readTail(file, from: 0) else {
            state.journalCursor = nil
            return 0
        }
        let journal = try JournalReader.read(whole.data, file: file, snapshot: desk.journalSequence, skippingThrough: state.sequence)
        // Entries must go on from this state: a journal that starts further on was cut by a
        // compaction that switched after the desk file was read (only lock-free, and `refresh`
        // then loads whole), never applied with a gap.
        if let next = journal.entries.first(where: { $0.sequence > state.sequence }), next.sequence != state.sequence + 1 {
            throw .unreadable(
                file: file, line: nil, column: nil,
                reason: "goes on from entry \(next.sequence - 1), not from entry \(state.sequence) that the snapshot ends at")
        }
        for entry in journal.entries where entry.sequence > state.sequence {
            try replay(entry, into: &state)
        }
        let last = journal.entries.last?.sequence ?? journal.skippedThrough ?? desk.journalSequence
        state.journalCursor =
            last == state.sequence
            ? JournalCursor(
                file: whole.identity, offset: journal.goodLength, sequence: last, snapshot: desk.journalSequence, checksummed: journal.checksummed,
                lines: journal.skipped + journal.entries.count)
            : nil
        return journal.skipped + journal.entries.count
    }

    /// The sequence of the journal entry whose line ends at `offset` (nil at 0, or when no
    /// line ends there): what a cursor moved by a compaction's cut must find.
    private func entryEnding(at offset: Int) -> Int? {
        guard let line = SnapshotFiles(store: self).lineEnding(at: offset, in: nil), !line.isEmpty else { return nil }
        return (try? JournalReader.read(line, file: path(StateFileName.journal)))?.entries.last?.sequence
    }

    /// Whether the snapshot files changed because a compaction of this state's lineage moved
    /// the snapshot on (nothing to load again), rather than by hand or by a start over.
    private func movedOnByCompaction(from snapshot: Int, _ state: LoadedState) throws(StateError) -> Bool {
        let desk = try SnapshotFiles(store: self).readDeskPosition(known: nil)
        return desk.lineage != nil && desk.lineage == state.lineage && desk.journalSequence >= snapshot
    }
}
