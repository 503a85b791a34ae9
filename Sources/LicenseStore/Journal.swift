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
    /// What the change did, in the audit log's words. `audit.jsonl` is derived from these, so
    /// once a change is durable its audit records can't be lost. Nil in entries written before
    /// journal format 2.
    public var audit: [AuditEvent]?
    /// Who made it, as the audit log names them (format 2 on).
    public var identity: ActorIdentity?

    public init(
        sequence: Int, context: ChangeContext, change: TenantChange, basedOn: [String: Int], audit: [AuditEvent]? = nil,
        identity: ActorIdentity? = nil
    ) {
        self.sequence = sequence
        self.context = context
        self.change = change
        self.basedOn = basedOn
        self.audit = audit
        self.identity = identity
    }

    enum CodingKeys: String, CodingKey {
        case sequence, context, change, basedOn, audit, identity
    }
}

/// What reading a journal found.
struct JournalContents {
    var entries: [JournalEntry] = []
    /// Byte offset just past the last whole, readable line.
    var goodLength = 0
    /// A last line with no newline: a write cut short by a crash, never acknowledged.
    var tornTail: Data?
    /// Whether the last whole line carried a checksum (format 2).
    var checksummed = false
    /// Whole lines passed over unread (`skippingThrough`), before `entries`, and the last
    /// sequence among them.
    var skipped = 0
    var skippedThrough: Int?
}

enum JournalReader {
    /// Reads every whole line, checking each line's checksum and that sequences run on by one.
    /// Only a last line without its newline is torn (a crash mid-append); a whole line that
    /// does not read — garbage, a bad checksum, an entry from a newer LicenseDesk — is damage,
    /// and is thrown, so nothing is ever appended after it. `snapshot`: the last sequence the
    /// snapshot holds; the journal must go on from there without a gap.
    /// `after`/`checksummed`/`firstLine`: where a read of the journal's tail (from a
    /// `JournalCursor`) goes on from — the sequence before its first line, whether lines before
    /// it carried checksums, and that first line's number in the file.
    /// `skippingThrough`: entries up to this sequence are already held; they are passed over
    /// by counting lines from the first (sequences run on by one), not decoded, so reading a
    /// long journal again costs its new entries only. The first entry read after them must be
    /// the next one, as always.
    static func read(
        _ data: Data, file: String, snapshot: Int? = nil, after previous: Int? = nil, checksummed earlier: Bool = false, firstLine: Int = 1,
        skippingThrough held: Int? = nil
    ) throws(StateError) -> JournalContents {
        var contents = JournalContents()
        let decoder = StateJSON.decoder()
        var start = data.startIndex
        var lineNumber = firstLine - 1
        var checksummed = earlier
        var previous = previous
        var skipping = held
        while start < data.endIndex {
            lineNumber += 1
            guard let newline = data[start...].firstIndex(of: 0x0A) else {
                contents.tornTail = data[start...]
                break
            }
            let entry: JournalEntry
            let line = data[start..<newline]
            let isFormatOne = !line.starts(with: Array(#"{"v":"#.utf8))
            if isFormatOne && checksummed {
                throw .unreadable(
                    file: file, line: lineNumber, column: nil,
                    reason: "this entry has no checksum but follows entries that have one: LicenseDesk never writes that; "
                        + "the line was edited or put there by hand. Nothing is appended after it")
            }
            checksummed = checksummed || !isFormatOne
            switch JournalLine.decode(line, decoder: decoder) {
            case .entry(let decoded): entry = decoded
            case .newer(let version):
                throw .unreadable(
                    file: file, line: lineNumber, column: nil,
                    reason: "this journal entry was written by a newer LicenseDesk (journal format \(version); this one reads "
                        + "formats 1–\(JournalLine.version)): upgrade LicenseDesk; nothing is read or appended past it")
            case .bad(let reason):
                throw .unreadable(
                    file: file, line: lineNumber, column: nil,
                    reason: "journal entry does not read (\(reason)); nothing is appended after it: "
                        + "restore the journal from a backup, or `licensedesk init --force` to start over")
            }
            if let previous = contents.entries.last?.sequence ?? previous, entry.sequence != previous + 1 {
                throw .unreadable(
                    file: file, line: lineNumber, column: nil,
                    reason: "entry \(entry.sequence) follows entry \(previous): entries are missing or out of order")
            }
            start = data.index(after: newline)
            contents.checksummed = checksummed
            contents.goodLength = start - data.startIndex
            if let through = skipping {
                skipping = nil
                if entry.sequence <= through {
                    // This line and the next `through - sequence` are held already.
                    var passed = 1
                    while passed <= through - entry.sequence, start < data.endIndex,
                        let next = data[start...].firstIndex(of: 0x0A)
                    {
                        start = data.index(after: next)
                        passed += 1
                    }
                    lineNumber += passed - 1
                    contents.skipped = passed
                    contents.skippedThrough = entry.sequence + passed - 1
                    contents.goodLength = start - data.startIndex
                    previous = entry.sequence + passed - 1
                    continue
                }
            }
            contents.entries.append(entry)
        }
        let firstRead = contents.skippedThrough.map { $0 - contents.skipped + 1 } ?? contents.entries.first?.sequence
        if let snapshot, let first = firstRead, first > snapshot + 1 {
            throw .unreadable(
                file: file, line: 1, column: nil,
                reason: "the snapshot holds changes up to \(snapshot) but the journal starts at \(first): "
                    + "entries \(snapshot + 1)–\(first - 1) are missing")
        }
        contents.checksummed = checksummed
        return contents
    }
}

/// The state of the journal as last read, so the next read takes only the lines appended since
/// (a console refreshes every second; a commit catches up first): which file, how far, at what
/// sequence, on top of which snapshot. A journal replaced (compaction), cut back (recovery) or
/// compacted past this point makes the next read a whole one.
struct JournalCursor: Equatable, Sendable {
    var file: FileIdentity
    /// Just past the last whole line read.
    var offset: Int
    var sequence: Int
    /// The snapshot's sequence the journal went on from.
    var snapshot: Int
    var checksummed: Bool
    var lines: Int
    /// Moved back by a compaction's cut (`DeskFile.journalCut`) onto the new journal, whose
    /// identity it does not know yet: the next read takes the file it finds, and its first
    /// entry must go on from `sequence`.
    var movedByCompaction = false
}

/// The journal's line format, pinned (`Tests/TrustTests/Fixtures`):
///
/// ```
/// {"v":2,"checksum":"<16 hex digits>","entry":<the entry, compact, sorted keys>}
/// ```
///
/// The checksum (`StreamingChecksum`) covers the entry's bytes exactly as they stand in the
/// line, so a flipped bit or a spliced line is caught without re-encoding anything. Lines of
/// format 1 (the bare entry, no checksum) are still read.
enum JournalLine {
    static let version = 2
    private static let head = Array(#"{"v":"#.utf8)
    private static let checksumKey = Array(#","checksum":""#.utf8)
    private static let entryKey = Array(#"","entry":"#.utf8)

    enum Decoded {
        case entry(JournalEntry)
        case newer(version: Int)
        case bad(String)
    }

    static func encode(_ entry: JournalEntry) throws(StateError) -> Data {
        let body: Data
        do { body = try StateJSON.compact(entry) } catch { throw .io(path: "journal", reason: "could not encode: \(error)") }
        var line = Data(head)
        line += Data("\(version)".utf8)
        line += Data(checksumKey)
        line += Data(hex(checksum(body)).utf8)
        line += Data(entryKey)
        line += body
        line.append(UInt8(ascii: "}"))
        line.append(0x0A)
        return line
    }

    static func decode(_ line: Data, decoder: JSONDecoder) -> Decoded {
        let bytes = [UInt8](line)
        guard bytes.starts(with: head) else {
            // Format 1: the entry itself.
            do { return .entry(try decoder.decode(JournalEntry.self, from: line)) } catch {
                return .bad(DecodingErrorLocator.clean("\(error)"))
            }
        }
        var index = head.count
        var version = 0
        while index < bytes.count, let digit = bytes[index].asciiDigit, version < 1_000_000 {
            version = version * 10 + digit
            index += 1
        }
        if version > Self.version { return .newer(version: version) }
        guard version == Self.version else { return .bad("journal format \(version) is unknown") }
        guard bytes[index...].starts(with: checksumKey) else { return .bad("no checksum") }
        index += checksumKey.count
        guard index + 16 <= bytes.count, let stated = UInt64(String(decoding: bytes[index..<index + 16], as: UTF8.self), radix: 16)
        else { return .bad("the checksum is not 16 hex digits") }
        index += 16
        guard bytes[index...].starts(with: entryKey), bytes.last == UInt8(ascii: "}") else { return .bad("not a journal line") }
        index += entryKey.count
        let body = Data(bytes[index..<(bytes.count - 1)])
        guard checksum(body) == stated else { return .bad("its checksum does not match: the line was altered or damaged") }
        do { return .entry(try decoder.decode(JournalEntry.self, from: body)) } catch {
            return .bad(DecodingErrorLocator.clean("\(error)"))
        }
    }

    static func checksum(_ body: Data) -> UInt64 {
        var sum = StreamingChecksum()
        body.withUnsafeBytes { sum.update($0) }
        return sum.finish()
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension UInt8 {
    fileprivate var asciiDigit: Int? { (0x30...0x39).contains(self) ? Int(self - 0x30) : nil }
}

enum JournalWriter {
    /// Appends one line and fsyncs it: the change is durable when this returns. When the write
    /// or the fsync fails, the file is cut back to its length before, so a failed append never
    /// leaves a line that might later be taken as acknowledged.
    /// Returns the file it appended to as it was before, so a reader's cursor can move on.
    @discardableResult
    static func append(_ line: Data, to path: String, mode: mode_t) throws(StateError) -> FileIdentity {
        // O_NONBLOCK: a FIFO a teammate put in the file's place must not hang the lock's holder
        // on open (it is then refused as not a regular file).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode)
        guard fd >= 0 else {
            if errno == ELOOP { throw .refusedFile(path: path, reason: "is a symbolic link, not a file; LicenseDesk never writes through a link") }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        try StateFilePolicy.check(info, path: path)
        // The umask trimmed the mode on creation; set it explicitly (fails harmlessly on a
        // file another admin owns, which already has it).
        if info.st_uid == getuid(), info.st_mode & 0o777 != mode { fchmod(fd, mode) }
        let before = info.st_size
        guard DurableFile.writeAll(line, to: fd), fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            if ftruncate(fd, before) == 0 { fsync(fd) }
            throw .io(path: path, reason: "could not append: \(reason)")
        }
        return FileIdentity(info)
    }

    static func truncate(_ path: String, to length: Int) throws(StateError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .refusedFile(path: path, reason: "is not a regular file; nothing was cut")
        }
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

    /// One entry as a journal line of today's format (for fixtures and tests).
    public static func line(_ entry: JournalEntry) throws(StateError) -> Data { try JournalLine.encode(entry) }
}
