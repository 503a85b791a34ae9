import Foundation

/// The byte-level writer and reader of the snapshot cache (`SnapshotCache`). Every string goes
/// through one table, written once and referred to by number: a state repeats the same plan
/// ids, services, dates' neighbours and group ids millions of times, so the table makes the
/// file small and the load fast, and equal strings come back sharing one storage.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var table: [String] = []
    private var numbers: [String: UInt32] = [:]

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    /// Drops the bytes written so far (handed on), keeping the string numbering.
    mutating func clearBytes() { bytes.removeAll(keepingCapacity: true) }

    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func count(_ value: Int) { u32(UInt32(value)) }

    mutating func date(_ value: Date) { u64(value.timeIntervalSinceReferenceDate.bitPattern) }

    mutating func optionalDate(_ value: Date?) {
        u8(value == nil ? 0 : 1)
        if let value { date(value) }
    }

    /// 0: nil, 1: false, 2: true.
    mutating func optionalBool(_ value: Bool?) { u8(value.map { $0 ? 2 : 1 } ?? 0) }

    mutating func string(_ value: String) { u32(intern(value)) }

    /// 0 for nil, else the string's number plus one.
    mutating func optionalString(_ value: String?) { u32(value.map { intern($0) + 1 } ?? 0) }

    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }

    private mutating func intern(_ value: String) -> UInt32 {
        if let number = numbers[value] { return number }
        let number = UInt32(table.count)
        numbers[value] = number
        table.append(value)
        return number
    }
}

/// Why a cache can't be read (the caller then reads the JSON files) or written (the snapshot
/// stands without one).
struct CacheProblem: Error {
    let reason: String
}

/// Reads what `BinaryWriter` wrote, checking every bound: a damaged cache is an error, never a
/// crash or a wrong value.
struct BinaryReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let table: [String]

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0, table: [String] = []) {
        self.bytes = bytes
        self.offset = offset
        self.table = table
    }

    mutating func u8() throws(CacheProblem) -> UInt8 {
        guard offset < bytes.count else { throw CacheProblem(reason: "truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() throws(CacheProblem) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw CacheProblem(reason: "truncated") }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws(CacheProblem) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw CacheProblem(reason: "truncated") }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A count, bounded by what is left (each counted item takes at least one byte).
    mutating func count() throws(CacheProblem) -> Int {
        let value = Int(try u32())
        guard value <= bytes.count - offset else { throw CacheProblem(reason: "count \(value) past the end") }
        return value
    }

    mutating func date() throws(CacheProblem) -> Date { Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64())) }

    mutating func optionalDate() throws(CacheProblem) -> Date? { try u8() == 0 ? nil : try date() }

    mutating func optionalBool() throws(CacheProblem) -> Bool? {
        switch try u8() {
        case 0: return nil
        case 1: return false
        case 2: return true
        default: throw CacheProblem(reason: "bad boolean")
        }
    }

    mutating func string() throws(CacheProblem) -> String {
        let number = Int(try u32())
        guard number < table.count else { throw CacheProblem(reason: "string \(number) not in the table") }
        return table[number]
    }

    mutating func optionalString() throws(CacheProblem) -> String? {
        let number = Int(try u32())
        if number == 0 { return nil }
        guard number - 1 < table.count else { throw CacheProblem(reason: "string \(number - 1) not in the table") }
        return table[number - 1]
    }

    /// A string list and, for each entry, `numbered[n]` of its table number n (-1 past the end
    /// of `numbered`): the cache's group members with the user each one is, found without
    /// looking the id up.
    mutating func strings(numbered: [Int32]) throws(CacheProblem) -> (strings: [String], numbers: [Int]) {
        let count = try count()
        var strings: [String] = []
        var numbers: [Int] = []
        strings.reserveCapacity(count)
        numbers.reserveCapacity(count)
        for _ in 0..<count {
            let number = Int(try u32())
            guard number < table.count else { throw CacheProblem(reason: "string \(number) not in the table") }
            strings.append(table[number])
            numbers.append(number < numbered.count ? Int(numbered[number]) : -1)
        }
        return (strings, numbers)
    }

    mutating func strings() throws(CacheProblem) -> [String] { try list { reader throws(CacheProblem) in try reader.string() } }

    /// A counted list, each element read by `element`.
    mutating func list<Element>(_ element: (inout BinaryReader) throws(CacheProblem) -> Element) throws(CacheProblem) -> [Element] {
        let count = try count()
        var values: [Element] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try element(&self)) }
        return values
    }
}
