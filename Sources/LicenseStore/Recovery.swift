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
        if names.contains(where: { $0 == StateFileName.compaction || $0.contains(".tmp.") || $0.hasSuffix(".next") }) {
            return true
        }
        // A torn journal ends without a newline: one byte tells, no need to read the journal.
        guard let handle = FileHandle(forReadingAtPath: store.path(StateFileName.journal)) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return false }
        try? handle.seek(toOffset: size - 1)
        return (try? handle.read(upToCount: 1))?.first != 0x0A
    }

    /// Returns what it did, for the admin.
    func run() throws(StateError) -> [String] {
        var notices: [String] = []
        let markerPath = store.path(StateFileName.compaction)
        if let data = try DurableFile.read(markerPath), let marker = try? JSONDecoder().decode(CompactionMarker.self, from: data) {
            try rollForward(marker)
            notices.append("finished a compaction that a crash interrupted")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        for name in names where name.contains(".tmp.") || name.hasSuffix(".next") {
            unlink(store.path(name))
        }
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
    func rollForward(_ marker: CompactionMarker) throws(StateError) {
        for name in StateFileName.all {
            let next = store.path(name) + ".next"
            if FileManager.default.fileExists(atPath: next) {
                guard rename(next, store.path(name)) == 0 else {
                    throw .io(path: next, reason: String(cString: strerror(errno)))
                }
            }
        }
        DurableFile.syncDirectory(store.directory)
        let journalPath = store.path(StateFileName.journal)
        if let data = try DurableFile.read(journalPath) {
            let contents = try JournalReader.read(data, file: journalPath)
            try JournalHistory(store: store).keep(contents.entries.filter { $0.sequence <= marker.sequence })
            var keep = Data()
            for entry in contents.entries where entry.sequence > marker.sequence { keep += try store.encodeLine(entry) }
            try DurableFile.replace(journalPath, with: keep, mode: store.fileMode)
        }
        unlink(store.path(StateFileName.compaction))
        DurableFile.syncDirectory(store.directory)
    }

    /// Keeps a copy of a file that does not parse and returns the error that says so.
    func setAside(_ file: String, because error: StateError) -> StateError {
        guard store.isWritable, let data = try? DurableFile.read(file) else { return error }
        // One copy of each damaged content is enough, however often it is read.
        let directory = (file as NSString).deletingLastPathComponent
        let prefix = (file as NSString).lastPathComponent + ".corrupt-"
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }
        var aside = file + ".corrupt-\(Self.stamp())"
        if let same = existing.first(where: { (try? DurableFile.read((directory as NSString).appendingPathComponent($0))) == data }) {
            aside = (directory as NSString).appendingPathComponent(same)
        } else if (try? DurableFile.replace(aside, with: data, mode: store.fileMode)) == nil {
            return error
        }
        if case .unreadable(let file, let line, let column, let reason) = error {
            return .unreadable(file: file, line: line, column: column, reason: reason + "; a copy was kept as \(aside)")
        }
        return error
    }

    static func stamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withColonSeparatorInTime]
        return formatter.string(from: Date()).replacingOccurrences(of: ":", with: "") + "-\(getpid())"
    }
}
