import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// One committed change, as the journal holds it: appended and fsynced before the change is
/// acknowledged, replayed on load after the snapshot.
public struct JournalEntry: Codable, Hashable, Sendable {
    public var sequence: Int
    public var context: ChangeContext
    public var change: TenantChange
    /// The version of each touched object the change was made against.
    public var basedOn: [String: Int]

    public init(sequence: Int, context: ChangeContext, change: TenantChange, basedOn: [String: Int]) {
        self.sequence = sequence
        self.context = context
        self.change = change
        self.basedOn = basedOn
    }
}

/// What reading a journal found.
struct JournalContents {
    var entries: [JournalEntry] = []
    /// Byte offset just past the last whole, readable line.
    var goodLength = 0
    /// A torn or unreadable last line (a write cut short by a crash).
    var tornTail: Data?
}

enum JournalReader {
    /// Reads every whole line. A bad line that is not the last means real damage: throw.
    static func read(_ data: Data, file: String) throws(StateError) -> JournalContents {
        var contents = JournalContents()
        let decoder = StateJSON.decoder()
        var start = data.startIndex
        var lineNumber = 0
        while start < data.endIndex {
            lineNumber += 1
            guard let newline = data[start...].firstIndex(of: 0x0A) else {
                contents.tornTail = data[start...]
                return contents
            }
            let line = data[start..<newline]
            do {
                contents.entries.append(try decoder.decode(JournalEntry.self, from: line))
            } catch {
                if newline == data.index(before: data.endIndex) {
                    contents.tornTail = data[start...]
                    return contents
                }
                throw .unreadable(file: file, line: lineNumber, column: nil, reason: "journal entry does not read: \(error)")
            }
            start = data.index(after: newline)
            contents.goodLength = start - data.startIndex
        }
        return contents
    }
}

enum JournalWriter {
    /// Appends one line and fsyncs it: the change is durable when this returns.
    static func append(_ line: Data, to path: String, mode: mode_t) throws(StateError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        // The umask trimmed the mode on creation; set it explicitly (fails harmlessly on a
        // file another admin owns, which already has it).
        var info = stat()
        if fstat(fd, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o777 != mode { fchmod(fd, mode) }
        guard DurableFile.writeAll(line, to: fd), fsync(fd) == 0 else { throw .io(path: path, reason: "could not append: \(String(cString: strerror(errno)))") }
    }

    static func truncate(_ path: String, to length: Int) throws(StateError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw .io(path: path, reason: "could not truncate: \(String(cString: strerror(errno)))")
        }
    }
}

/// Reading a journal from outside the store (the fuzzers, `doctor`).
public enum JournalFile {
    public struct Contents: Sendable {
        public var entries: [JournalEntry]
        /// Bytes up to the end of the last whole line.
        public var goodLength: Int
        public var hasTornTail: Bool
    }

    public static func read(_ data: Data) throws(StateError) -> Contents {
        let contents = try JournalReader.read(data, file: "journal")
        return Contents(entries: contents.entries, goodLength: contents.goodLength, hasTornTail: contents.tornTail != nil)
    }
}
