import Dispatch
import Foundation
import LicenseModel

/// Decodes a large Graph list file (`{"formatVersion": 1, "value": [...]}`) on every core: a
/// byte scan finds where each element of `value` starts and ends, the elements are cut into one
/// slice per core, and each slice is decoded as its own small array. Foundation's decoder then
/// runs on all cores at once instead of one. Anything unexpected (a syntax error, an element
/// that does not decode) returns nil, and the caller decodes the whole file the ordinary way,
/// which also finds the file, line and column of the problem. An element type may bring a
/// reader of its own (`reader`, users' `UserBytesReading`): tried first on the whole file cut at
/// guessed places (`SpeculativeListDecoding`), then on each slice here before Foundation.
///
/// Slices are a few megabytes each, whatever the file's size: the decoder needs several times
/// its input in memory, so a 13 GB users file decoded a quarter at a time would not fit in this
/// machine; in small slices, only the slices in flight do. `settle` runs on each decoded slice
/// in its worker (users share their licence arrays there: `LicenceArraySharing`).
enum ParallelListDecoding {
    /// Below this many bytes one core is quicker than the scan and the hand-offs.
    static let minimumBytes = 4 << 20
    /// About this many bytes of JSON per slice.
    static let sliceBytes = 8 << 20

    static func decode<Element: Decodable & Sendable>(
        _ data: Data, as type: Element.Type, sliceBytes: Int = sliceBytes, settle: (@Sendable (inout [Element]) -> Void)? = nil,
        reader: ListReader<Element>? = nil
    ) -> GraphListFile<Element>? {
        // Offsets below count from the first byte, whatever index the Data starts at.
        let data = data.startIndex == 0 ? data : Data(data)
        // The element type's own reader is quicker than Foundation at any size (one run for a
        // small file).
        if let reader, let file = SpeculativeListDecoding.decode(data, reader: reader, runBytes: sliceBytes, settle: settle) { return file }
        guard data.count >= minimumBytes else { return nil }
        guard let layout = data.withUnsafeBytes({ ListLayout(ByteScanner($0)) }) else { return nil }
        // The envelope without its elements: formatVersion and any unknown fields.
        var envelope = Data(data[data.startIndex..<layout.valueStart])
        envelope.append(contentsOf: Array("[]".utf8))
        envelope.append(data[layout.valueEnd..<data.endIndex])
        guard var file = try? StateJSON.decoder().decode(GraphListFile<Element>.self, from: envelope) else { return nil }

        let slices = layout.slices(ofAbout: sliceBytes)
        let results = SliceResults<Element>(count: slices.count)
        DispatchQueue.concurrentPerform(iterations: slices.count) { slice in
            let elements = slices[slice]
            guard let first = elements.first, let last = elements.last else { return results.store([], at: slice) }
            // The element type's own reader first; Foundation when it stands aside.
            if let reader, var decoded = data.withUnsafeBytes({ reader.ranges($0, layout.elements[elements]) }) {
                settle?(&decoded)
                return results.store(decoded, at: slice)
            }
            var bytes = Data([UInt8(ascii: "[")])
            bytes.append(data[layout.elements[first].lowerBound..<layout.elements[last].upperBound])
            bytes.append(UInt8(ascii: "]"))
            guard var decoded = try? StateJSON.decoder().decode([Element].self, from: bytes) else { return results.store(nil, at: slice) }
            settle?(&decoded)
            results.store(decoded, at: slice)
        }
        guard let value = results.joined() else { return nil }
        file.value = value
        return file
    }
}

/// Where the `value` array of a list file is, and where each of its elements is.
struct ListLayout {
    /// Byte offsets of the `[` and just past the `]` of `value`.
    var valueStart = 0
    var valueEnd = 0
    /// Byte ranges of the elements (commas and whitespace between them excluded).
    var elements: [Range<Int>] = []

    /// The elements cut into runs of about `bytes` bytes each (at least one element a run).
    func slices(ofAbout bytes: Int) -> [Range<Int>] {
        var slices: [Range<Int>] = []
        var first = 0
        for index in elements.indices where elements[index].upperBound - elements[first].lowerBound >= bytes || index == elements.count - 1 {
            slices.append(first..<(index + 1))
            first = index + 1
        }
        return slices
    }

    init?(_ scanner: ByteScanner) {
        var scanner = scanner
        guard scanner.expect(UInt8(ascii: "{")) else { return nil }
        var found = false
        while true {
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: "}") { break }
            guard let key = scanner.string(), scanner.expect(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            if key == "value" {
                guard scanner.peek == UInt8(ascii: "["), let elements = scanner.arrayElements() else { return nil }
                valueStart = elements.start
                valueEnd = scanner.offset
                self.elements = elements.ranges
                found = true
            } else if !scanner.skipValue() {
                return nil
            }
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: ",") { scanner.offset += 1 } else if scanner.peek != UInt8(ascii: "}") { return nil }
        }
        if !found { return nil }
    }
}

/// A forward-only reader over the bytes: just enough JSON to find value boundaries. It reads
/// the buffer in place (no copy of a file that may be gigabytes), so it lives only inside the
/// `withUnsafeBytes` that made it.
struct ByteScanner {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skipWhitespace() {
        while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x0D || bytes[offset] == 0x09 {
            offset += 1
        }
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard peek == byte else { return false }
        offset += 1
        return true
    }

    /// A string's contents (keys only: escapes are kept as written, which is enough to tell
    /// `value` from other keys).
    mutating func string() -> String? {
        let start = offset + 1
        guard skipString() else { return nil }
        return String(decoding: bytes[start..<(offset - 1)], as: UTF8.self)
    }

    mutating func skipString() -> Bool {
        guard peek == UInt8(ascii: "\"") else { return false }
        offset += 1
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\\"): offset += 2
            case UInt8(ascii: "\""):
                offset += 1
                return true
            default: offset += 1
            }
        }
        return false
    }

    /// Skips one value of any kind.
    mutating func skipValue() -> Bool {
        guard let first = peek else { return false }
        switch first {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while offset < bytes.count {
                switch bytes[offset] {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        offset += 1
                        return true
                    }
                default: break
                }
                offset += 1
            }
            return false
        default:
            let start = offset
            while offset < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) {
                offset += 1
            }
            return offset > start
        }
    }

    /// At `[`: the array's start and each element's byte range; leaves the scanner past `]`.
    mutating func arrayElements() -> (start: Int, ranges: [Range<Int>])? {
        let start = offset
        offset += 1
        var ranges: [Range<Int>] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            offset += 1
            return (start, ranges)
        }
        while true {
            skipWhitespace()
            let elementStart = offset
            guard skipValue() else { return nil }
            ranges.append(elementStart..<offset)
            skipWhitespace()
            guard let next = peek else { return nil }
            offset += 1
            if next == UInt8(ascii: "]") { return (start, ranges) }
            if next != UInt8(ascii: ",") { return nil }
        }
    }
}

/// One slot per slice, written once by the worker that decoded it.
final class SliceResults<Element: Sendable>: @unchecked Sendable {
    private var slots: [[Element]?]
    private var failed = false
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ elements: [Element]?, at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let elements { slots[index] = elements } else { failed = true }
    }

    func joined() -> [Element]? {
        lock.lock()
        defer { lock.unlock() }
        guard !failed else { return nil }
        var all: [Element] = []
        all.reserveCapacity(slots.reduce(0) { $0 + ($1?.count ?? 0) })
        for slot in slots {
            guard let slot else { return nil }
            all.append(contentsOf: slot)
        }
        return all
    }
}
