import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// A snapshot written beside the one in place (`<name>.staged`), not yet switched in.
///
/// Staging takes no lock: the state it writes is a value at one journal sequence, and the
/// staged names are ones no reader, writer or recovery looks at. Only `switchTo` needs the
/// state's lock, for a few renames and two small fsynced files.
struct StagedSnapshot: Sendable {
    /// The last journal entry the staged files include.
    var sequence: Int
    /// The lineage the staged desk file carries.
    var lineage: String
    /// The lineage of the state it was made from: the snapshot in place must still have it
    /// when the staged files go in (nil: a state written before lineages).
    var madeFromLineage: String?
    /// Bytes of the staged files, the cache included.
    var bytes: Int
    var hasCache: Bool
    /// `.staged`, or `.next` for files written straight under the state's lock (`init`).
    var suffix: String
    /// Where the journal's entries after `sequence` begin, in the journal file named, when the
    /// state was read from it to its end: the switch cuts the journal there byte for byte,
    /// and the entries before it are staged as history (`history.staged`).
    var journalCut: JournalCut?
    /// How far into the journal `journal.jsonl.staged` already holds its bytes from the cut
    /// (`prepareJournal`), and the last line it copied: under the lock only what was appended
    /// since is added.
    var journalCopiedThrough: (offset: Int, lastLine: Data)?
    /// A delta compaction's delta files, by their final names (absent: the whole snapshot was
    /// staged), and the snapshot in place they go over: it must still be that one at the switch.
    var deltaFiles: [String]?
    var baseSequence: Int?
}

/// A compaction that writes a delta over the snapshot in place (`SnapshotDelta`) instead of
/// the whole of it.
struct DeltaPlan {
    var diff: TenantDiff
    /// The deltas the snapshot in place lists already.
    var listed: [SnapshotDelta]
    var baseSequence: Int
}

/// Where a compaction cuts the journal, and the line it read just before: read with no lock,
/// that line could be a change whose fsync failed and was taken back (a writer cuts such a
/// line off again at once). The switch, under the lock, finds it still there or does not cut.
struct JournalCut: Sendable {
    var offset: Int
    var file: FileIdentity
    /// The first entry folded in.
    var first: Int
    var lastLine: Data
}

extension StateFileName {
    static let stagedSuffix = ".staged"
    /// The files a compaction stages: the snapshot's, the cache, and the journal entries it
    /// folds in (`history.staged`, renamed into `history/` at the switch).
    static let staged = all + [cache, JournalHistory.folder, journal]

    /// `<file>.staged` or its temp file `<file>.staged.tmp.<pid>.<random>`, for the files a
    /// compaction stages. Recovery leaves these alone (a compactor may be writing them this
    /// moment); the next compactor, holding `compaction.lock`, removes what a dead one left.
    static func isStaged(_ name: String) -> Bool {
        SnapshotDelta.isStagedDeltaName(name)
            || staged.contains { name == $0 + stagedSuffix || name.hasPrefix($0 + stagedSuffix + ".tmp.") || name == $0 + retiredSuffix }
    }

    /// A snapshot file (or the cache) a switch replaced, kept under this second name until the
    /// compactor has let go of the lock and removes it.
    static let retiredSuffix = ".retired"
}

extension SnapshotFiles {
    func stagedPath(_ name: String, _ suffix: String = StateFileName.stagedSuffix) -> String { store.path(name) + suffix }

    /// Writes `state` as staged files, each durable, and the cache that describes them.
    /// With `suffix` `.next` (only under the state's lock, where recovery can't run) the files
    /// are written as a compaction's new files directly, without a cache.
    func stage(_ state: LoadedState, suffix: String = StateFileName.stagedSuffix, delta: DeltaPlan? = nil) throws(StateError) -> StagedSnapshot {
        func stagedPath(_ name: String) -> String { self.stagedPath(name, suffix) }
        let withCache = suffix == StateFileName.stagedSuffix
        let journalCut = withCache ? try stageHistory(of: state) : nil
        let tenant = state.tenant
        let extras = tenant.fileExtras
        let lineage = state.lineage ?? UUID().uuidString.lowercased()
        try writeList(GraphListFile([tenant.organization]), extras.organization, to: stagedPath(StateFileName.organization))
        try writeList(GraphListFile(tenant.subscribedSkus), extras.subscribedSkus, to: stagedPath(StateFileName.subscribedSkus))
        var deltas: [SnapshotDelta] = []
        var deltaFiles: [String]?
        if let delta {
            // Only what changed; users.json, groups.json and their cache stay as they are.
            let usersBytes = try writeDelta(delta.diff.users, to: stagedPath(SnapshotDelta.usersFile(state.sequence)))
            let groupsBytes = try writeDelta(delta.diff.groups, to: stagedPath(SnapshotDelta.groupsFile(state.sequence)))
            deltas = delta.listed
            if delta.diff.records > 0 {
                deltas.append(
                    SnapshotDelta(
                        sequence: state.sequence, users: delta.diff.users.count > 0, groups: delta.diff.groups.count > 0,
                        records: delta.diff.records, bytes: usersBytes + groupsBytes))
            }
            deltaFiles = deltas.last.map { $0.sequence == state.sequence ? $0.files : [] } ?? []
        } else {
            try writeList(GraphListFile(tenant.users), extras.users, to: stagedPath(StateFileName.users), chunkSize: 1_024)
            // A few groups with up to a million members each: one group per chunk, one chunk per core.
            try writeList(GraphListFile(tenant.groups), extras.groups, to: stagedPath(StateFileName.groups), chunkSize: 1)
        }
        var desk = DeskFile(
            formatVersion: DeskFile.formatVersion(listing: deltas), pending: tenant.pending, settings: tenant.settings,
            journalSequence: state.sequence, versions: state.versions, onPremises: tenant.onPremises, lineage: lineage,
            journalCut: journalCut?.offset, journalCutFrom: journalCut == nil ? nil : state.snapshotSequence,
            reconciliation: tenant.automation.isEmpty ? nil : tenant.automation)
        desk.snapshotDeltas = deltas.isEmpty ? nil : deltas
        try DurableFile.replace(stagedPath(StateFileName.desk), with: try encode(desk), mode: store.fileMode)
        if withCache, delta == nil {
            SnapshotCache(store: store).write(
                users: tenant.users, groups: tenant.groups, usersExtra: extras.users, groupsExtra: extras.groups,
                at: stagedPath(StateFileName.cache), madeFrom: [stagedPath(StateFileName.users), stagedPath(StateFileName.groups)])
        }
        let hasCache = withCache && delta == nil && DurableFile.isPresent(stagedPath(StateFileName.cache))
        let bytes = ((withCache ? StateFileName.staged : StateFileName.all) + (deltaFiles ?? [])).reduce(0) { total, name in
            var info = stat()
            return total + (lstat(stagedPath(name), &info) == 0 ? Int(info.st_size) : 0)
        }
        return StagedSnapshot(
            sequence: state.sequence, lineage: lineage, madeFromLineage: state.lineage, bytes: bytes, hasCache: hasCache, suffix: suffix,
            journalCut: journalCut, deltaFiles: deltaFiles, baseSequence: delta?.baseSequence)
    }

    /// The snapshot files a switch renames into place: all of them, or for a delta all but
    /// the two big lists it goes over.
    func switchedNames(_ staged: StagedSnapshot) -> [String] {
        staged.deltaFiles == nil ? StateFileName.all : StateFileName.all.filter { $0 != StateFileName.users && $0 != StateFileName.groups }
    }

    /// Puts staged files in place: renamed to `.next`, the commit record written, rolled
    /// forward (`Recovery.rollForward`: into place, the journal cut to what came after), then
    /// the cache. Caller holds the state's lock. A crash before the record leaves `.next` files
    /// that recovery removes; after it, recovery finishes the roll-forward.
    func switchTo(_ staged: StagedSnapshot) throws(StateError) {
        let names = switchedNames(staged)
        for name in names + (staged.deltaFiles ?? []) where staged.suffix != ".next" { try requireOwnStagedFile(stagedPath(name)) }
        // The line before the cut as staging read it, checked before anything is moved.
        if let cut = staged.journalCut, lineEnding(at: cut.offset, in: cut.file) != cut.lastLine {
            throw .io(
                path: store.path(StateFileName.journal),
                reason: "changed under the compaction (a change it read was taken back); nothing was switched, and it is tried again")
        }
        let cache = SnapshotCache(store: store)
        if staged.deltaFiles == nil {
            // The old cache describes files about to be replaced: gone first (it would not match
            // them anyway, by identity); renamed, not removed, for the same reason as they are.
            rename(cache.path, cache.path + StateFileName.retiredSuffix)
        }
        // Delta files under their own new names before anything lists them: one a crash
        // leaves here unlisted is removed by the next compactor (`removeUnlistedDeltas`).
        for name in staged.deltaFiles ?? [] {
            guard rename(stagedPath(name), store.path(name)) == 0 else {
                throw .io(path: stagedPath(name), reason: String(cString: strerror(errno)))
            }
            CrashPoint.pass("rename \(name).staged into place")
        }
        for name in names where staged.suffix != ".next" {
            guard rename(stagedPath(name), store.path(name) + ".next") == 0 else {
                throw .io(path: stagedPath(name), reason: String(cString: strerror(errno)))
            }
            CrashPoint.pass("rename \(name).staged to .next")
        }
        DurableFile.syncDirectory(store.directory)
        // The journal cut byte for byte where staging read to (checked above).
        var marker = CompactionMarker(sequence: staged.sequence)
        var prepared: String?
        if let cut = staged.journalCut {
            marker.journalCut = cut.offset
            if cut.first <= staged.sequence {
                marker.historyKept = true
                marker.historyFirst = cut.first
            }
            prepared = try finishPreparedJournal(staged)
        }
        // The commit point: from here recovery finishes what this started.
        try DurableFile.replace(store.path(StateFileName.compaction), with: try encode(marker), mode: store.fileMode)
        try Recovery(store: store).rollForward(marker, preparedJournal: prepared)
        if staged.hasCache, rename(stagedPath(StateFileName.cache), cache.path) == 0 { CrashPoint.pass("rename the staged cache") }
    }

    /// Copies the journal from the cut to its last whole line into `journal.jsonl.staged`, with
    /// no lock: what the journal will be after the switch, but for the lines appended meanwhile.
    func prepareJournal(_ staged: inout StagedSnapshot) {
        guard let cut = staged.journalCut, let whole = try? DurableFile.readTail(store.path(StateFileName.journal), from: cut.offset),
            whole.identity.isSameFile(as: cut.file)
        else { return }
        let copied = Data(whole.data.prefix(Self.wholeLines(whole.data)))
        guard (try? DurableFile.replace(stagedPath(StateFileName.journal), with: copied, mode: store.fileMode)) != nil else { return }
        staged.journalCopiedThrough = (cut.offset + copied.count, Self.lastLine(of: copied))
    }

    /// How many bytes of `data` are whole lines.
    static func wholeLines(_ data: Data) -> Int {
        data.lastIndex(of: 0x0A).map { data.distance(from: data.startIndex, to: $0) + 1 } ?? 0
    }

    /// The last whole line of `data` (which ends with a newline), or nothing.
    static func lastLine(of data: Data) -> Data {
        guard let end = data.last == 0x0A ? data.index(before: data.endIndex) : nil else { return Data() }
        let start = data[..<end].lastIndex(of: 0x0A).map { data.index(after: $0) } ?? data.startIndex
        return Data(data[start...])
    }

    /// The line of the journal that ends at `offset` (nothing at offset 0), if the journal is
    /// still `file` when one is named.
    func lineEnding(at offset: Int, in file: FileIdentity?) -> Data? {
        guard offset > 0 else { return Data() }
        // A line is far shorter than this; for a longer one the window doubles.
        var window = 64 << 10
        while true {
            let from = max(0, offset - window)
            guard let read = try? DurableFile.readTail(store.path(StateFileName.journal), from: from),
                file.map(read.identity.isSameFile(as:)) ?? true, read.data.count >= offset - from
            else { return nil }
            let line = Self.lastLine(of: Data(read.data.prefix(offset - from)))
            if line.count < offset - from || from == 0 { return line }
            window *= 2
        }
    }

    /// Under the lock: adds what was appended since `prepareJournal` and makes it durable. The
    /// path of the prepared journal, or nil (the roll-forward then cuts the journal itself).
    private func finishPreparedJournal(_ staged: StagedSnapshot) throws(StateError) -> String? {
        guard let (copied, lastCopied) = staged.journalCopiedThrough, let cut = staged.journalCut,
            lineEnding(at: copied, in: cut.file) == (copied == cut.offset ? cut.lastLine : lastCopied),
            let rest = try DurableFile.readTail(store.path(StateFileName.journal), from: copied), rest.identity.isSameFile(as: cut.file),
            rest.identity.size >= copied
        else { return nil }
        let path = stagedPath(StateFileName.journal)
        // O_NONBLOCK: a FIFO a teammate swapped in must not hang the switch under the lock.
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == copied - cut.offset,
            info.st_uid == geteuid(), DurableFile.writeAll(rest.data, to: fd), fsync(fd) == 0
        else { return nil }
        CrashPoint.pass("fsync the prepared journal")
        return path
    }

    /// Stages the journal entries `state` folds in as history, when `state` was read from the
    /// journal to its end (its cursor says where that end was): the bytes up to there are read
    /// and checked with no lock (entries are only ever appended after them), so the switch
    /// need not decode a single entry. nil: the switch reads the journal as before.
    private func stageHistory(of state: LoadedState) throws(StateError) -> JournalCut? {
        guard let cursor = state.journalCursor, cursor.sequence == state.sequence, cursor.snapshot == state.snapshotSequence,
            let whole = try DurableFile.readTail(store.path(StateFileName.journal), from: 0), whole.identity.isSameFile(as: cursor.file),
            whole.data.count >= cursor.offset
        else { return nil }
        let folded = whole.data.prefix(cursor.offset)
        guard let entries = try? JournalReader.read(folded, file: store.path(StateFileName.journal)).entries,
            entries.last?.sequence ?? state.snapshotSequence == state.sequence
        else { return nil }
        try DurableFile.replace(stagedPath(JournalHistory.folder), with: Data(folded), mode: store.fileMode)
        return JournalCut(
            offset: cursor.offset, file: whole.identity, first: entries.first?.sequence ?? state.sequence + 1, lastLine: Self.lastLine(of: Data(folded)))
    }

    /// A staged file must still be the regular file this process wrote: a link or a teammate's
    /// file swapped into its name meanwhile would otherwise become part of the snapshot.
    private func requireOwnStagedFile(_ path: String) throws(StateError) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
            throw .refusedFile(path: path, reason: "is not the file this compaction staged (a link, or another's file, put in its place)")
        }
    }

    /// Removes the files the switch retired; after the lock is let go, since freeing a big
    /// file's blocks takes a while.
    func removeRetired() {
        for name in StateFileName.staged { unlink(store.path(name) + StateFileName.retiredSuffix) }
    }

    /// Removes staged files a compactor left; only while holding `compaction.lock`, when no
    /// other compactor can be writing them.
    func removeStaged() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        for name in names where StateFileName.isStaged(name) { unlink(store.path(name)) }
    }
}
