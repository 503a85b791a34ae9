import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// Puts a state directory right after a crash, under the exclusive lock: finishes a compaction
/// that reached its commit point, removes temp and `.next` files left by one that did not, and
/// sets a torn journal line aside. Nothing that did not parse is ever overwritten: it is kept
/// as `<name>.corrupt-<time>`.
struct Recovery {
    let store: StateStore

    var isNeeded: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        if names.contains(where: { $0 == StateFileName.compaction || StateFileName.isLeftover($0) }) {
            return true
        }
        if JournalHistory(store: store).hasLeftovers { return true }
        // A torn journal ends without a newline: one byte tells, no need to read the journal.
        let fd = open(store.path(StateFileName.journal), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last != 0x0A
    }

    /// Returns what it did, for the admin.
    func run() throws(StateError) -> [String] {
        var notices: [String] = []
        let markerPath = store.path(StateFileName.compaction)
        if let data = try DurableFile.read(markerPath) {
            guard let marker = try? StateJSON.decoder().decode(CompactionMarker.self, from: data), marker.isGenuine(in: store) else {
                throw StateError.unreadable(
                    file: markerPath, line: nil, column: nil,
                    reason: "is not a compaction LicenseDesk recorded (its snapshot files do not match it); nothing was rolled "
                        + "forward or removed from the journal. Move it away if no compaction was running")
            }
            try rollForward(marker)
            notices.append("finished a compaction that a crash interrupted")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        // Only names LicenseDesk writes (`StateFileName.isLeftover`): a teammate's
        // `notes.tmp.txt` or `plan.next` is not ours to delete.
        for name in names where StateFileName.isLeftover(name) {
            unlink(store.path(name))
        }
        JournalHistory(store: store).removeLeftovers()
        let journalPath = store.path(StateFileName.journal)
        if let data = try DurableFile.read(journalPath) {
            let contents = try JournalReader.read(data, file: journalPath)
            if let torn = contents.tornTail {
                let aside = journalPath + ".corrupt-\(Self.stamp())"
                try DurableFile.replace(aside, with: torn, mode: store.fileMode)
                try JournalWriter.truncate(journalPath, to: contents.goodLength)
                notices.append("the journal's last line was cut short by a crash; it was set aside in \(aside)")
            }
        }
        return notices
    }

    /// Renames the `.next` files into place and empties the journal up to the marker.
    /// `preparedJournal`: the journal after the cut, made ready by the compactor
    /// (`journal.jsonl.staged`), put in place by a rename; recovery, without one, cuts the
    /// journal itself.
    func rollForward(_ marker: CompactionMarker, preparedJournal: String? = nil) throws(StateError) {
        let journalPath = store.path(StateFileName.journal)
        // Read only if needed: with a prepared journal and staged history, not at all.
        var journalRead = false
        var journalData: Data?
        func journal() throws(StateError) -> Data? {
            if !journalRead {
                journalData = try DurableFile.read(journalPath)
                journalRead = true
            }
            return journalData
        }
        // History first, before the new desk file goes in: a reader that falls behind finds
        // the entries it missed there as soon as the snapshot says they were folded in. While
        // the journal still holds them, a history file a crash lost is written again from it.
        try keepStagedHistory(marker, journal: journal)
        for name in StateFileName.all {
            let next = store.path(name) + ".next"
            if FileManager.default.fileExists(atPath: next) {
                // The file replaced keeps a second name until the lock is let go: a rename
                // that drops the last name of a gigabyte file frees its blocks there and then,
                // a quarter of a second under the lock (`Compactor` removes the names after).
                link(store.path(name), store.path(name) + StateFileName.retiredSuffix)
                guard rename(next, store.path(name)) == 0 else {
                    throw .io(path: next, reason: String(cString: strerror(errno)))
                }
                CrashPoint.pass("roll \(name).next into place")
            }
        }
        DurableFile.syncDirectory(store.directory)
        if let preparedJournal, rename(preparedJournal, journalPath) == 0 {
            CrashPoint.pass("rename the prepared journal into place")
        } else if let data = try journal() {
            if let cut = marker.journalCut, let rest = Self.journal(data, from: cut, goingOnFrom: marker.sequence, file: journalPath) {
                // The entries after the snapshot kept byte for byte: nothing decoded but two lines.
                if marker.historyKept != true {
                    try JournalHistory(store: store).keep(try JournalReader.read(data.prefix(cut), file: journalPath).entries)
                }
                try DurableFile.replace(journalPath, with: rest, mode: store.fileMode)
            } else {
                let contents = try JournalReader.read(data, file: journalPath)
                try JournalHistory(store: store).keep(contents.entries.filter { $0.sequence <= marker.sequence })
                var keep = Data()
                for entry in contents.entries where entry.sequence > marker.sequence { keep += try JournalLine.encode(entry) }
                if let torn = contents.tornTail { keep += torn }
                try DurableFile.replace(journalPath, with: keep, mode: store.fileMode)
            }
        }
        unlink(store.path(StateFileName.compaction))
        CrashPoint.pass("remove the compaction record")
        DurableFile.syncDirectory(store.directory)
    }

    /// Puts the history a compaction staged into `history/` (its record says which entries),
    /// unless it is there already; without the staged file, from the journal while it still
    /// holds them.
    private func keepStagedHistory(_ marker: CompactionMarker, journal: () throws(StateError) -> Data?) throws(StateError) {
        guard marker.historyKept == true, let first = marker.historyFirst, first <= marker.sequence else { return }
        let history = JournalHistory(store: store)
        guard !DurableFile.isPresent(history.path(first: first, last: marker.sequence)) else { return }
        let staged = store.path(JournalHistory.folder) + StateFileName.stagedSuffix
        if Self.holds(staged, first: first, last: marker.sequence) {
            try history.putInPlace(staged, first: first, last: marker.sequence)
        } else if let data = try journal(), let cut = marker.journalCut, cut <= data.count,
            let folded = try? JournalReader.read(data.prefix(cut), file: store.path(StateFileName.journal)),
            folded.entries.first?.sequence == first, folded.entries.last?.sequence == marker.sequence
        {
            try history.keep(folded.entries)
        }
    }

    /// Whether `path` is a staged history file of this user's holding exactly entries `first`
    /// through `last` (its first and last lines say): another compaction's, staged since the
    /// one this record is of, must not be filed under this range.
    static func holds(_ path: String, first: Int, last: Int) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
            let head = try? DurableFile.readHead(path, bytes: 64 << 10), let firstEnd = head.firstIndex(of: 0x0A),
            let tail = try? DurableFile.readTail(path, from: max(0, Int(info.st_size) - 64 << 10))
        else { return false }
        let closing = SnapshotFiles.lastLine(of: tail.data)
        let opening = try? JournalReader.read(head[...firstEnd], file: path)
        return opening?.entries.first?.sequence == first && (try? JournalReader.read(closing, file: path))?.entries.first?.sequence == last
    }

    /// The journal from byte `cut` on, when that is where the entry after `sequence` begins:
    /// the line that ends there is entry `sequence` itself (or nothing was folded), and the
    /// first line from there is the entry after it, or there is none. nil when it is not (a
    /// journal already cut by a roll-forward a crash interrupted, say), and the caller reads
    /// the whole journal instead.
    static func journal(_ data: Data, from cut: Int, goingOnFrom sequence: Int, file: String) -> Data? {
        guard cut >= 0, cut <= data.count, cut == 0 || data[data.startIndex + cut - 1] == 0x0A else { return nil }
        if cut > 0 {
            let before = data.prefix(cut - 1)
            let start = before.lastIndex(of: 0x0A).map { data.index(after: $0) } ?? data.startIndex
            guard (try? JournalReader.read(data[start..<(data.startIndex + cut)], file: file))?.entries.last?.sequence == sequence else {
                return nil
            }
        }
        let rest = data.suffix(from: data.startIndex + cut)
        if let newline = rest.firstIndex(of: 0x0A) {
            let first = try? JournalReader.read(rest[...newline], file: file)
            guard first?.entries.first?.sequence == sequence + 1 else { return nil }
        }
        return Data(rest)
    }

    /// Keeps the damaged file's contents under a second name, `<name>.corrupt-<time>`, and
    /// returns the error that says so. The second name is a hard link made without following
    /// links (`linkat` with no flags): no byte is read or written, so the copy has the file's own
    /// owner and mode and can never be a readable copy of something a link pointed at. The file
    /// itself stays where it is, so the error keeps pointing at the line to fix.
    func setAside(_ file: String, because error: StateError) -> StateError {
        guard store.isWritable else { return error }
        var info = stat()
        guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return error }
        // One name per damaged file, however often it is read.
        let directory = (file as NSString).deletingLastPathComponent
        let prefix = (file as NSString).lastPathComponent + ".corrupt-"
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }
        var aside = file + ".corrupt-\(Self.stamp())"
        if let same = existing.first(where: { name in
            var other = stat()
            return lstat((directory as NSString).appendingPathComponent(name), &other) == 0 && other.st_ino == info.st_ino
                && other.st_dev == info.st_dev
        }) {
            aside = (directory as NSString).appendingPathComponent(same)
        } else if linkat(AT_FDCWD, file, AT_FDCWD, aside, 0) != 0 {
            return error
        }
        if case .unreadable(let file, let line, let column, let reason) = error {
            return .unreadable(file: file, line: line, column: column, reason: reason + "; its contents are also kept as \(aside)")
        }
        return error
    }

    static func stamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withColonSeparatorInTime]
        return formatter.string(from: Date()).replacingOccurrences(of: ":", with: "") + "-\(getpid())"
    }
}

extension CompactionMarker {
    /// Whether this marker is the commit record of a compaction whose files are there: every
    /// `.next` file is written before the marker, and `licensedesk.json` is renamed last, so
    /// either its `.next` file records this sequence, or it is in place with this sequence and
    /// no `.next` file is left. Anything else is a marker no compaction wrote: rolling it
    /// forward would drop committed changes from the journal.
    func isGenuine(in store: StateStore) -> Bool {
        let deskNext = store.path(StateFileName.desk) + ".next"
        func sequence(of path: String) -> Int? {
            guard let data = try? DurableFile.read(path), let desk = try? StateJSON.decoder().decode(DeskFile.self, from: data) else {
                return nil
            }
            return desk.journalSequence
        }
        if DurableFile.isPresent(deskNext) { return sequence(of: deskNext) == self.sequence }
        let leftover = StateFileName.all.contains { DurableFile.isPresent(store.path($0) + ".next") }
        return !leftover && sequence(of: store.path(StateFileName.desk)) == self.sequence
    }
}
