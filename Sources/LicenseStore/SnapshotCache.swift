import Dispatch
import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// A binary copy of the snapshot's two big files (users and groups), written after each
/// compaction so the next load need not parse gigabytes of JSON.
///
/// The JSON files stay the state; the cache is only ever a faster way to read them. It names
/// the exact files it was made from (size, modification time to the nanosecond, inode and
/// device of each), and is used only while both are still those files: a file edited, replaced
/// or restored by anyone makes it stale, and the load parses the JSON as before. A cache that
/// can't be read for any reason is ignored the same way, never trusted in part.
struct SnapshotCache {
    static let fileName = StateFileName.cache
    private static let magic = Array("LDCACHE5".utf8)
    /// Bump with any change to the record layout in `CachedRecords`.
    static let layoutVersion = 5

    /// What the records' meaning depends on beyond their layout: the user string slots are
    /// stored by number, so a property name added to `StringSlot.names` anywhere but the end
    /// would shift every stored attribute. A cache made under another fingerprint is ignored
    /// (the JSON is read, and the next compaction writes a new cache), never misread.
    static let schemaFingerprint: UInt64 = {
        var sum = StreamingChecksum()
        sum.update(Array("layout \(layoutVersion); slots \(UserStrings.slotNames.joined(separator: ","))".utf8))
        return sum.finish()
    }()
    let store: StateStore

    var path: String { store.path(Self.fileName) }

    /// Which files a cache was made from.
    struct FileIdentity: Equatable {
        var size: UInt64
        var seconds: UInt64
        var nanoseconds: UInt64
        var inode: UInt64
        var device: UInt64

        init?(path: String) {
            var info = stat()
            // lstat: a link in a file's place is not the file the cache was made from.
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            size = UInt64(info.st_size)
            seconds = UInt64(bitPattern: Int64(info.st_mtim.tv_sec))
            nanoseconds = UInt64(bitPattern: Int64(info.st_mtim.tv_nsec))
            inode = UInt64(info.st_ino)
            device = UInt64(info.st_dev)
        }

        init(_ reader: inout BinaryReader) throws(CacheProblem) {
            size = try reader.u64()
            seconds = try reader.u64()
            nanoseconds = try reader.u64()
            inode = try reader.u64()
            device = try reader.u64()
        }

        func write(to writer: inout BinaryWriter) {
            for value in [size, seconds, nanoseconds, inode, device] { writer.u64(value) }
        }
    }

    struct Contents {
        var users: [User]
        var groups: [Group]
        /// Each group's members as indices into `users` (-1: not a user), what
        /// `Tenant(…, memberUsers:)` takes to skip looking up every member id.
        var memberUsers: [[Int]]
        var usersExtra: [String: JSONValue]
        var groupsExtra: [String: JSONValue]
    }

    private var sources: [String] { [store.path(StateFileName.users), store.path(StateFileName.groups)] }

    func remove() { unlink(path) }

    /// Writes the cache for the snapshot files now in place, streamed (a million users' records
    /// are never all in memory). Best effort: a snapshot without a cache is only slower to load.
    /// A compaction writes it beside its staged files (`target`, made from `madeFrom`): a
    /// rename keeps a file's identity, so it describes them once they are switched in.
    func write(
        users: [User], groups: [Group], usersExtra: [String: JSONValue], groupsExtra: [String: JSONValue], at target: String? = nil,
        madeFrom: [String]? = nil
    ) {
        let target = target ?? path
        let sources = madeFrom ?? sources
        let identities = sources.compactMap(FileIdentity.init(path:))
        guard identities.count == sources.count else {
            unlink(target)
            return
        }
        do {
            try DurableFile.replace(target, mode: store.fileMode) { write in
                try encode(identities, users, groups, usersExtra, groupsExtra, into: write)
            }
        } catch { unlink(target) }
    }

    /// The cached users and groups, or nil when there is no cache for the files now in place.
    func read() -> Contents? {
        guard let data = try? DurableFile.read(path) else { return nil }
        let identities = sources.compactMap(FileIdentity.init(path:))
        guard identities.count == sources.count else { return nil }
        return data.withUnsafeBytes { bytes in try? decode(bytes, expecting: identities) }
    }

    // MARK: - Layout
    // magic; the source identities; the user records; the group records; the two lists' extra
    // fields; the shared licence arrays (`SharedLicenceArrays`); the user record offsets; the
    // string table (offsets, then UTF-8 bytes); a trailer: where the arrays and the offsets
    // start, the counts, and a checksum of everything before it. The tables come last because
    // strings and arrays are numbered as the records are written.

    private static let trailerSize = 8 * 6

    private func encode(
        _ identities: [FileIdentity], _ users: [User], _ groups: [Group], _ usersExtra: [String: JSONValue],
        _ groupsExtra: [String: JSONValue], into write: (Data) throws -> Void
    ) throws {
        var checksum = StreamingChecksum()
        var written = 0
        func emit(_ bytes: [UInt8]) throws {
            checksum.update(bytes)
            written += bytes.count
            try write(Data(bytes))
        }
        var out = BinaryWriter()
        var arrays = SharedLicenceArrays()
        for byte in Self.magic { out.u8(byte) }
        out.u64(Self.schemaFingerprint)
        for identity in identities { identity.write(to: &out) }
        var userOffsets: [UInt64] = []
        userOffsets.reserveCapacity(users.count + 1)
        let recordsStart = out.bytes.count
        var flushed = 0
        for user in users {
            userOffsets.append(UInt64(flushed + out.bytes.count - recordsStart))
            try CachedRecords.write(user, to: &out, arrays: &arrays)
            if out.bytes.count > 8 << 20 {
                try emit(out.bytes)
                flushed += out.bytes.count
                out.clearBytes()
            }
        }
        userOffsets.append(UInt64(flushed + out.bytes.count - recordsStart))
        // Where each group ends, after where the users end: groups decode apart too.
        for group in groups {
            try CachedRecords.write(group, to: &out)
            userOffsets.append(UInt64(flushed + out.bytes.count - recordsStart))
        }
        try CachedRecords.writeExtra(usersExtra, to: &out)
        try CachedRecords.writeExtra(groupsExtra, to: &out)
        let arraysStart = written + out.bytes.count
        arrays.write(to: &out)
        try emit(out.bytes)
        let offsetsStart = written
        let table = out.table
        var tail = BinaryWriter()
        for offset in userOffsets { tail.u64(offset) }
        var position: UInt64 = 0
        for string in table {
            tail.u64(position)
            position += UInt64(string.utf8.count)
        }
        tail.u64(position)
        try emit(tail.bytes)
        var chunk: [UInt8] = []
        for string in table {
            chunk.append(contentsOf: string.utf8)
            if chunk.count > 8 << 20 {
                try emit(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try emit(chunk)
        var trailer = BinaryWriter()
        let values = [arraysStart, offsetsStart, recordsStart, users.count, groups.count, table.count]
        for value in values.map(UInt64.init) {
            trailer.u64(value)
        }
        checksum.update(trailer.bytes)
        var sum = BinaryWriter()
        sum.u64(checksum.finish())
        try write(Data(trailer.bytes + sum.bytes))
    }

    /// `identities`: the files the cache must have been made from; nil reads a cache whatever
    /// files it names (the format fixture, copied from elsewhere).
    func decode(_ bytes: UnsafeRawBufferPointer, expecting identities: [FileIdentity]?) throws(CacheProblem) -> Contents {
        guard bytes.count >= Self.magic.count + 8 + Self.trailerSize + 8 else { throw CacheProblem(reason: "too short") }
        var checksum = StreamingChecksum()
        checksum.update(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 8)]))
        var end = BinaryReader(bytes, at: bytes.count - 8)
        guard try end.u64() == checksum.finish() else { throw CacheProblem(reason: "checksum does not match") }
        var trailer = BinaryReader(bytes, at: bytes.count - 8 - Self.trailerSize)
        let arraysStart = Int(try trailer.u64()), offsetsStart = Int(try trailer.u64()), recordsStart = Int(try trailer.u64())
        let userCount = Int(try trailer.u64()), groupCount = Int(try trailer.u64()), stringCount = Int(try trailer.u64())
        let limit = bytes.count - 8 - Self.trailerSize
        guard offsetsStart <= limit, arraysStart <= offsetsStart, recordsStart <= arraysStart, userCount < limit,
            groupCount < limit, stringCount < limit, userCount < Int(Int32.max)
        else { throw CacheProblem(reason: "bad trailer") }

        var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<limit]))
        for byte in Self.magic where try reader.u8() != byte { throw CacheProblem(reason: "not a LicenseDesk cache") }
        guard try reader.u64() == Self.schemaFingerprint else { throw CacheProblem(reason: "made under another schema") }
        for index in sources.indices {
            let identity = try FileIdentity(&reader)
            if let identities, identity != identities[index] { throw CacheProblem(reason: "made from other files") }
        }
        guard reader.offset == recordsStart else { throw CacheProblem(reason: "bad header") }
        reader.offset = offsetsStart
        var recordOffsets: [Int] = []
        recordOffsets.reserveCapacity(userCount + 1 + groupCount)
        for _ in 0..<(userCount + 1 + groupCount) { recordOffsets.append(recordsStart + Int(try reader.u64())) }
        guard zip(recordOffsets, recordOffsets.dropFirst()).allSatisfy({ $0 <= $1 }), let extrasStart = recordOffsets.last,
            extrasStart <= arraysStart
        else { throw CacheProblem(reason: "bad record offsets") }
        let table = try Self.stringTable(&reader, count: stringCount)
        guard reader.offset == limit else { throw CacheProblem(reason: "bytes left over") }
        var arrayReader = BinaryReader(UnsafeRawBufferPointer(rebasing: bytes[..<offsetsStart]), at: arraysStart, table: table)
        let arrays = try SharedLicenceArrays.read(&arrayReader)
        guard arrayReader.offset == offsetsStart else { throw CacheProblem(reason: "licence arrays do not end where they should") }

        let records = UnsafeRawBufferPointer(rebasing: bytes[..<arraysStart])
        let users = try Self.records(records, table: table, offsets: Array(recordOffsets[...userCount])) { reader throws(CacheProblem) in
            try CachedRecords.readUser(&reader, arrays: arrays)
        }
        // The user each table string is the id of (the first, as `Tenant.userIndex` keeps):
        // an id is the first string of a user record.
        var userOfString = [Int32](repeating: -1, count: table.count)
        for user in 0..<userCount {
            var idReader = BinaryReader(records, at: recordOffsets[user])
            let number = Int(try idReader.u32())
            if number < userOfString.count, userOfString[number] < 0 { userOfString[number] = Int32(user) }
        }
        let groupsRead = try Self.records(records, table: table, offsets: Array(recordOffsets[userCount...]), perSlice: 1) {
            [userOfString] reader throws(CacheProblem) in try CachedRecords.readGroup(&reader, userOfString: userOfString)
        }
        var extraReader = BinaryReader(records, at: extrasStart, table: table)
        let usersExtra = try CachedRecords.readExtra(&extraReader)
        let groupsExtra = try CachedRecords.readExtra(&extraReader)
        guard extraReader.offset == arraysStart else { throw CacheProblem(reason: "records do not end where they should") }
        return Contents(
            users: users, groups: groupsRead.map(\.0), memberUsers: groupsRead.map(\.memberUsers), usersExtra: usersExtra,
            groupsExtra: groupsExtra)
    }

    private static func stringTable(_ reader: inout BinaryReader, count: Int) throws(CacheProblem) -> [String] {
        var offsets: [Int] = []
        offsets.reserveCapacity(count + 1)
        for _ in 0...count { offsets.append(Int(try reader.u64())) }
        let start = reader.offset
        guard let total = offsets.last, offsets.first == 0, start + total <= reader.bytes.count,
            zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
        else { throw CacheProblem(reason: "bad string table") }
        let bytes = reader.bytes
        let table = (0..<count).map { index in
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(start + offsets[index])..<(start + offsets[index + 1])]), as: UTF8.self)
        }
        reader.offset = start + total
        return table
    }

    /// Records on every core: each record's offset is known, so slices decode apart. Each
    /// record must end exactly where the next begins.
    private static func records<Record: Sendable>(
        _ bytes: UnsafeRawBufferPointer, table: [String], offsets: [Int], perSlice minimum: Int = 2_000,
        read: @escaping @Sendable (inout BinaryReader) throws(CacheProblem) -> Record
    ) throws(CacheProblem) -> [Record] {
        let count = offsets.count - 1
        let slices = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount * 4, max(1, count / max(minimum, 1))))
        let perSlice = (count + slices - 1) / slices
        let results = SliceResults<Record>(count: slices)
        // The buffer outlives the call (the caller's `withUnsafeBytes`); its address is passed
        // as an integer because a raw buffer is not Sendable.
        let base = UInt(bitPattern: bytes.baseAddress), length = bytes.count
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: base), count: length)
            var decoded: [Record] = []
            // Rounding up can leave the last slices with nothing.
            let range = min(count, slice * perSlice)..<min(count, (slice + 1) * perSlice)
            decoded.reserveCapacity(range.count)
            for index in range {
                var reader = BinaryReader(bytes, at: offsets[index], table: table)
                guard let record = try? read(&reader), reader.offset == offsets[index + 1] else {
                    return results.store(nil, at: slice)
                }
                decoded.append(record)
            }
            results.store(decoded, at: slice)
        }
        guard let decoded = results.joined() else { throw CacheProblem(reason: "a record does not read") }
        return decoded
    }
}

/// A 64-bit checksum, a word at a time, fed in pieces of any size: each step is a bijection
/// of the running value, so any one changed word (a flipped bit, a torn write) changes it.
struct StreamingChecksum {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    private var carry: [UInt8] = []
    private var length = 0

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length += bytes.count
        var offset = 0
        while !carry.isEmpty && carry.count < 8 && offset < bytes.count {
            carry.append(bytes[offset])
            offset += 1
        }
        if carry.count == 8 {
            mix(carry.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            carry.removeAll(keepingCapacity: true)
        }
        while offset + 8 <= bytes.count {
            mix(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        carry.append(contentsOf: bytes[offset...])
    }

    private mutating func mix(_ word: UInt64) {
        hash = (hash ^ word) &* 0x0000_0100_0000_01b3
        hash ^= hash >> 29
    }

    func finish() -> UInt64 {
        var hash = hash
        for byte in carry { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash ^ UInt64(length)
    }
}
