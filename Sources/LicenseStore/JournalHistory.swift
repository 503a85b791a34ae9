import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// The journal entries a compaction folded into the snapshot, kept in `history/` so that
/// `licensedesk export changes --since` can reach back past compactions. One file per
/// compaction, named by its sequence range; writing the same range twice (a compaction rolled
/// forward again after a crash) writes the same file.
struct JournalHistory {
    let store: StateStore
    static let folder = "history"

    var directory: String { store.path(Self.folder) }

    /// `history/` must be a real folder of the state directory: a link there would have the
    /// journal written to, and read from, wherever it points. False when there is none.
    func checkFolder() throws(StateError) -> Bool {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return false }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .refusedFile(path: directory, reason: "is \(StateFilePolicy.describe(info.st_mode & S_IFMT)), not the state's history folder")
        }
        return true
    }

    func keep(_ entries: [JournalEntry]) throws(StateError) {
        guard let first = entries.first?.sequence, let last = entries.last?.sequence else { return }
        try makeFolder()
        var data = Data()
        for entry in entries { data += try JournalLine.encode(entry) }
        try DurableFile.replace(path(first: first, last: last), with: data, mode: store.fileMode)
    }

    /// The file that keeps entries `first` through `last`.
    func path(first: Int, last: Int) -> String {
        (directory as NSString).appendingPathComponent(String(format: "journal-%010d-%010d.jsonl", first, last))
    }

    /// Puts a file a compaction staged (the journal's lines from `first` through `last`, as
    /// they were) into the folder: a rename, under the state's lock.
    func putInPlace(_ staged: String, first: Int, last: Int) throws(StateError) {
        try makeFolder()
        guard rename(staged, path(first: first, last: last)) == 0 else { throw .io(path: staged, reason: String(cString: strerror(errno))) }
        CrashPoint.pass("rename the staged history into history/")
        DurableFile.syncDirectory(directory)
    }

    /// Every kept entry, oldest first.
    func entries() throws(StateError) -> [JournalEntry] {
        guard try checkFolder() else { return [] }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("journal-") && $0.hasSuffix(".jsonl") }.sorted()
        var all: [JournalEntry] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = try DurableFile.read(path) else { continue }
            all += try JournalReader.read(data, file: path).entries
        }
        return all
    }

    /// The entries after `after` up to `through`, read only from the files whose ranges hold
    /// them; nil unless they are all there, one after another (a file removed by hand, say).
    /// What a state that was overtaken by a compaction catches up with.
    func entries(after: Int, through last: Int) -> [JournalEntry]? {
        guard last > after, (try? checkFolder()) == true else { return last == after ? [] : nil }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasPrefix("journal-") && $0.hasSuffix(".jsonl")
        }
        var found: [JournalEntry] = []
        for name in names.sorted() {
            let bounds = name.dropFirst("journal-".count).dropLast(".jsonl".count).split(separator: "-").compactMap { Int($0) }
            guard bounds.count == 2, bounds[1] > after, bounds[0] <= last else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = try? DurableFile.read(path), let contents = try? JournalReader.read(data, file: path) else { return nil }
            found += contents.entries.filter { $0.sequence > after && $0.sequence <= last }
        }
        found.sort { $0.sequence < $1.sequence }
        for (offset, entry) in found.enumerated() where entry.sequence != after + 1 + offset { return nil }
        return found.count == last - after ? found : nil
    }

    /// Removes temp files a crash left in `history/` (`journal-….jsonl.tmp.<pid>.<random>`),
    /// and nothing else.
    func removeLeftovers() {
        guard (try? checkFolder()) == true else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix("journal-") && Self.isTemporary(name) {
            unlink((directory as NSString).appendingPathComponent(name))
        }
    }

    var hasLeftovers: Bool {
        guard (try? checkFolder()) == true else { return false }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).contains {
            $0.hasPrefix("journal-") && Self.isTemporary($0)
        }
    }

    static func isTemporary(_ name: String) -> Bool {
        guard let range = name.range(of: ".jsonl.tmp.") else { return false }
        let parts = name[range.upperBound...].split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }

    /// Same group and mode bits as the state directory (setgid included), whatever the umask.
    private func makeFolder() throws(StateError) {
        if try checkFolder() { return }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw .io(path: directory, reason: String(cString: strerror(errno)))
        }
        var parent = stat()
        if stat(store.directory, &parent) == 0 { chmod(directory, parent.st_mode & 0o7777) }
    }
}

extension StateStore {
    /// Every committed change still on record after `sequence` (kept history and the live
    /// journal), oldest first. Holds the shared lock, so a compaction can't move entries
    /// between the two while they are read.
    public func changes(after sequence: Int) throws(StateError) -> [JournalEntry] {
        // Lock-free like every read: kept only if no compaction moved entries meanwhile.
        for _ in 0..<4 {
            let before = SnapshotGeneration(store: self)
            if let entries = try? recordedChanges(after: sequence), SnapshotGeneration(store: self) == before { return entries }
        }
        let lock = try DirectoryLock(directory: directory, exclusive: false)
        defer { withExtendedLifetime(lock) {} }
        return try recordedChanges(after: sequence)
    }

    private func recordedChanges(after sequence: Int) throws(StateError) -> [JournalEntry] {
        var entries = try JournalHistory(store: self).entries()
        if let data = try DurableFile.read(path(StateFileName.journal)) {
            let known = Set(entries.map(\.sequence))
            entries += try JournalReader.read(data, file: path(StateFileName.journal)).entries.filter { !known.contains($0.sequence) }
        }
        return entries.filter { $0.sequence > sequence }
    }

    /// The first sequence number still on record (history reaches back to here).
    public func firstRecordedSequence() throws(StateError) -> Int? {
        try changes(after: 0).first?.sequence
    }
}
