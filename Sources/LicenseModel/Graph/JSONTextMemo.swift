import Foundation

/// Values read from JSON, remembered by the exact bytes they were read from: the same text
/// again gives the same value without reading it again (and the one copy is shared). Ranges
/// are offsets into the one buffer every read of a slice uses.
struct JSONTextMemo<Value> {
    private var known: [UInt64: [(range: Range<Int>, value: Value)]] = [:]
    /// The texts met last, newest first, tried before anything else: a complete JSON array or
    /// object ends where its text does, so bytes that begin with one of these texts *are* that
    /// value, and a comparison (which runs at memory speed) replaces scanning for its end.
    private var recent: [(range: Range<Int>, value: Value)] = []
    private static var recentCount: Int { 4 }

    /// The value at the reader, as `decodeIfPresent` gives it: `.some(nil)` for null; nil
    /// when `read` could not read it.
    mutating func value(_ reader: inout JSONByteReader, read: (inout JSONByteReader) -> Value?) -> Value?? {
        if reader.null() { return .some(nil) }
        guard reader.peek() != nil else { return nil }
        let start = reader.offset
        let bytes = reader.bytes
        let opening = bytes[start]
        if opening == 0x5B || opening == 0x7B {
            for (index, entry) in recent.enumerated() where start + entry.range.count <= bytes.count {
                if memcmp(bytes.baseAddress! + entry.range.lowerBound, bytes.baseAddress! + start, entry.range.count) == 0 {
                    reader.offset = start + entry.range.count
                    if index > 0 { recent.insert(recent.remove(at: index), at: 0) }
                    return .some(entry.value)
                }
            }
        }
        guard let range = reader.skipValue() else { return nil }
        let hash = Self.hash(bytes, range)
        if let entries = known[hash] {
            for entry in entries where entry.range.count == range.count {
                if memcmp(bytes.baseAddress! + entry.range.lowerBound, bytes.baseAddress! + range.lowerBound, range.count) == 0 {
                    remember(entry)
                    return .some(entry.value)
                }
            }
        }
        var inner = JSONByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]), offset: start)
        guard let value = read(&inner), inner.offset == range.upperBound else { return nil }
        known[hash, default: []].append((range, value))
        if opening == 0x5B || opening == 0x7B { remember((range, value)) }
        return .some(value)
    }

    private mutating func remember(_ entry: (range: Range<Int>, value: Value)) {
        recent.insert(entry, at: 0)
        if recent.count > Self.recentCount { recent.removeLast() }
    }

    /// A quick 64-bit hash of the bytes, eight at a time (equal bytes are confirmed above).
    private static func hash(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(range.count)
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0x100_0000_01B3 &+ (hash >> 29)
            offset += 8
        }
        while offset < range.upperBound {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01B3
            offset += 1
        }
        return hash ^ (hash >> 32)
    }
}
