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
    private static let magic = Array("LDCACHE1".utf8)
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
            guard stat(path, &info) == 0 else { return nil }
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
        var usersExtra: [String: JSONValue]
        var groupsExtra: [String: JSONValue]
    }

    private var sources: [String] { [store.path(StateFileName.users), store.path(StateFileName.groups)] }

    func remove() { unlink(path) }

    /// Writes the cache for the snapshot files now in place. Best effort: a snapshot without a
    /// cache is only slower to load.
    func write(users: [User], groups: [Group], usersExtra: [String: JSONValue], groupsExtra: [String: JSONValue]) {
        let identities = sources.compactMap(FileIdentity.init(path:))
        guard identities.count == sources.count, let data = try? encode(identities, users, groups, usersExtra, groupsExtra) else {
            return remove()
        }
        do { try DurableFile.replace(path, with: data, mode: store.fileMode) } catch { remove() }
    }

    /// The cached users and groups, or nil when there is no cache for the files now in place.
    func read() -> Contents? {
        guard let data = try? DurableFile.read(path) else { return nil }
        let identities = sources.compactMap(FileIdentity.init(path:))
        guard identities.count == sources.count else { return nil }
        return data.withUnsafeBytes { bytes in try? decode(bytes, expecting: identities) }
    }

    // MARK: - Layout
    // magic; a checksum of everything after it; the source identities; the string table (count, offsets, UTF-8 bytes); the users
    // (count, record offsets, records); the groups (count, records); the two lists' extra fields.

    private func encode(
        _ identities: [FileIdentity], _ users: [User], _ groups: [Group], _ usersExtra: [String: JSONValue],
        _ groupsExtra: [String: JSONValue]
    ) throws(CacheProblem) -> Data {
        var records = BinaryWriter()
        var userOffsets: [UInt64] = []
        userOffsets.reserveCapacity(users.count + 1)
        for user in users {
            userOffsets.append(UInt64(records.bytes.count))
            try CachedRecords.write(user, to: &records)
        }
        userOffsets.append(UInt64(records.bytes.count))
        let userBytes = records.bytes.count
        for group in groups { try CachedRecords.write(group, to: &records) }
        try CachedRecords.writeExtra(usersExtra, to: &records)
        try CachedRecords.writeExtra(groupsExtra, to: &records)

        var head = BinaryWriter()
        for identity in identities { identity.write(to: &head) }
        let table = records.table
        head.count(table.count)
        var position: UInt64 = 0
        for string in table {
            head.u64(position)
            position += UInt64(string.utf8.count)
        }
        head.u64(position)
        var data = Data(head.bytes)
        data.reserveCapacity(head.bytes.count + Int(position) + records.bytes.count + userOffsets.count * 8 + 16)
        for string in table { data.append(contentsOf: string.utf8) }
        var counts = BinaryWriter()
        counts.count(users.count)
        for offset in userOffsets { counts.u64(offset) }
        counts.count(groups.count)
        counts.u64(UInt64(userBytes))
        data.append(contentsOf: counts.bytes)
        data.append(contentsOf: records.bytes)
        var prefix = BinaryWriter()
        for byte in Self.magic { prefix.u8(byte) }
        prefix.u64(data.withUnsafeBytes(Self.checksum))
        return Data(prefix.bytes) + data
    }

    /// A 64-bit checksum, a word at a time: each step is a bijection of the running value, so
    /// any one changed word (a flipped bit, a torn write) changes the result.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x0000_0100_0000_01b3
            hash ^= hash >> 29
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01b3
            offset += 1
        }
        return hash ^ UInt64(bytes.count)
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, expecting identities: [FileIdentity]) throws(CacheProblem) -> Contents {
        var reader = BinaryReader(bytes)
        for byte in Self.magic where try reader.u8() != byte { throw CacheProblem(reason: "not a LicenseDesk cache") }
        let checksum = try reader.u64()
        guard Self.checksum(UnsafeRawBufferPointer(rebasing: bytes[reader.offset...])) == checksum else {
            throw CacheProblem(reason: "checksum does not match")
        }
        for identity in identities where try FileIdentity(&reader) != identity {
            throw CacheProblem(reason: "made from other files")
        }
        let table = try Self.stringTable(&reader)
        let userCount = try reader.count()
        var userOffsets: [Int] = []
        userOffsets.reserveCapacity(userCount + 1)
        for _ in 0...userCount { userOffsets.append(Int(try reader.u64())) }
        let groupCount = try reader.count()
        let groupsStart = Int(try reader.u64())
        let recordsStart = reader.offset
        guard userOffsets.last == groupsStart, zip(userOffsets, userOffsets.dropFirst()).allSatisfy({ $0 <= $1 }),
            recordsStart + groupsStart <= bytes.count
        else { throw CacheProblem(reason: "bad record offsets") }

        let users = try Self.users(bytes, table: table, start: recordsStart, offsets: userOffsets)
        var records = BinaryReader(bytes, at: recordsStart + groupsStart, table: table)
        var groups: [Group] = []
        groups.reserveCapacity(groupCount)
        for _ in 0..<groupCount { groups.append(try CachedRecords.readGroup(&records)) }
        let usersExtra = try CachedRecords.readExtra(&records)
        let groupsExtra = try CachedRecords.readExtra(&records)
        guard records.offset == bytes.count else { throw CacheProblem(reason: "bytes left over") }
        return Contents(users: users, groups: groups, usersExtra: usersExtra, groupsExtra: groupsExtra)
    }

    private static func stringTable(_ reader: inout BinaryReader) throws(CacheProblem) -> [String] {
        let count = try reader.count()
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

    /// The user records on every core: each record's offset is known, so slices decode apart.
    private static func users(
        _ bytes: UnsafeRawBufferPointer, table: [String], start: Int, offsets: [Int]
    ) throws(CacheProblem) -> [User] {
        let count = offsets.count - 1
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 4, count / 2_000))
        let perSlice = (count + slices - 1) / slices
        let results = DecodedSlices(count: slices)
        // The buffer outlives the call (the caller's `withUnsafeBytes`); its address is passed
        // as an integer because a raw buffer is not Sendable.
        let base = UInt(bitPattern: bytes.baseAddress), length = bytes.count
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: base), count: length)
            var users: [User] = []
            let range = (slice * perSlice)..<min(count, (slice + 1) * perSlice)
            users.reserveCapacity(range.count)
            for index in range {
                var reader = BinaryReader(bytes, at: start + offsets[index], table: table)
                guard let user = try? CachedRecords.readUser(&reader), reader.offset == start + offsets[index + 1] else {
                    return results.store(nil, at: slice)
                }
                users.append(user)
            }
            results.store(users, at: slice)
        }
        guard let users = results.joined() else { throw CacheProblem(reason: "a user record does not read") }
        return users
    }
}

/// One slot per slice, each written once by its worker (nil: the slice failed).
private final class DecodedSlices: @unchecked Sendable {
    private var slots: [[User]?]
    private var failed = false
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ users: [User]?, at slice: Int) {
        lock.lock()
        if let users { slots[slice] = users } else { failed = true }
        lock.unlock()
    }

    func joined() -> [User]? { failed ? nil : slots.flatMap { $0 ?? [] } }
}
