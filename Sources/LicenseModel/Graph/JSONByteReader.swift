import Foundation

/// A forward reader of JSON bytes in place, for the few record shapes a load spends its time
/// on (`User.readAll`). It answers "this, or I can't say": every method returns nil (or false)
/// on anything it does not read exactly as Foundation's `JSONDecoder` would — an escape it
/// does not know, invalid UTF-8, a control character, a truncated value — and the caller then
/// decodes those bytes with Foundation, which also names the problem. So it never accepts what
/// Foundation would refuse in the shapes it reads, and never has to report an error itself.
///
/// It reads the buffer it was given without copying, so it lives only inside the
/// `withUnsafeBytes` that made the buffer.
public struct JSONByteReader {
    public let bytes: UnsafeRawBufferPointer
    public var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    @inline(__always)
    public mutating func skipWhitespace() {
        while offset < bytes.count {
            let byte = bytes[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    /// The next byte after whitespace, not consumed.
    @inline(__always)
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    /// Consumes `byte` (after whitespace) if it is next.
    @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        offset += 1
        return true
    }

    /// Consumes `null` if it is next.
    public mutating func null() -> Bool { literal("null") }

    public mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        guard peek() != nil, offset + word.utf8CodeUnitCount <= bytes.count else { return false }
        let start = word.utf8Start
        for index in 0..<word.utf8CodeUnitCount where bytes[offset + index] != start[index] { return false }
        // A literal runs into nothing but a delimiter ("nullx" is not null).
        let end = offset + word.utf8CodeUnitCount
        if end < bytes.count, !Self.delimiters.contains(bytes[end]) { return false }
        offset = end
        return true
    }

    private static let delimiters: Set<UInt8> = [0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09]

    /// A string, or nil when the next value is not one this reader reads exactly.
    public mutating func string() -> String? {
        guard consume(0x22) else { return nil }
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == 0x22 {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return text
            }
            if byte == 0x5C { return escapedString(from: start) }
            if byte < 0x20 { return nil }  // a raw control character is not JSON
            offset += 1
        }
        return nil
    }

    /// The rest of a string that has an escape in it, `start` just past its opening quote.
    private mutating func escapedString(from start: Int) -> String? {
        var text: [UInt8] = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case 0x22: return String(validating: text, as: UTF8.self)
            case 0x5C:
                guard offset < bytes.count else { return nil }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    text.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default:
                if byte < 0x20 { return nil }
                text.append(byte)
            }
        }
        return nil
    }

    /// After `\u`: the scalar, a surrogate pair read whole; nil for a lone surrogate (left to
    /// Foundation to judge).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard offset + 1 < bytes.count, bytes[offset] == 0x5C, bytes[offset + 1] == UInt8(ascii: "u") else { return nil }
            offset += 2
            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        if (0xDC00...0xDFFF).contains(high) { return nil }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    /// A string's raw bytes when it has no escape (a key, compared as written), else nil.
    @inline(__always)
    public mutating func plainStringBytes() -> UnsafeRawBufferPointer? {
        guard consume(0x22) else { return nil }
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == 0x22 {
                defer { offset += 1 }
                return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
            }
            if byte == 0x5C || byte < 0x20 { return nil }
            offset += 1
        }
        return nil
    }

    /// Walks an object's members: `body` is called with each key (after its colon) and must
    /// read the value; false from `body`, or anything malformed, makes the whole call false.
    public mutating func members(_ body: (inout JSONByteReader, String) -> Bool) -> Bool {
        guard consume(0x7B) else { return false }
        if consume(0x7D) { return true }
        while true {
            guard let key = string(), consume(0x3A), body(&self, key) else { return false }
            if consume(0x2C) { continue }
            return consume(0x7D)
        }
    }

    /// Walks an array's elements: `body` reads each one.
    public mutating func elements(_ body: (inout JSONByteReader) -> Bool) -> Bool {
        guard consume(0x5B) else { return false }
        if consume(0x5D) { return true }
        while true {
            guard body(&self) else { return false }
            if consume(0x2C) { continue }
            return consume(0x5D)
        }
    }

    /// An array of strings, or nil (a null element included: Foundation refuses it in `[String]`).
    public mutating func strings() -> [String]? {
        var values: [String] = []
        let read = elements { reader in
            guard let text = reader.string() else { return false }
            values.append(text)
            return true
        }
        return read ? values : nil
    }

    /// The byte range of the next value, skipped without judging what is inside (whoever
    /// decodes those bytes judges them); nil when it does not end in this buffer.
    public mutating func skipValue() -> Range<Int>? {
        guard let first = peek() else { return nil }
        let start = offset
        switch first {
        case 0x22:
            offset += 1
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += byte == 0x5C ? 2 : 1
                if byte == 0x22 { return start..<offset }
            }
            return nil
        case 0x7B, 0x5B:
            var depth = 0
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == 0x22 {
                    guard skipValue() != nil else { return nil }
                    continue
                }
                offset += 1
                if byte == 0x7B || byte == 0x5B { depth += 1 }
                if byte == 0x7D || byte == 0x5D {
                    depth -= 1
                    if depth == 0 { return start..<offset }
                }
            }
            return nil
        default:
            while offset < bytes.count, !Self.delimiters.contains(bytes[offset]) { offset += 1 }
            return offset > start ? start..<offset : nil
        }
    }
}

/// A run of a list's elements read from `start` (where one begins) on: after each element a
/// comma goes on to the next, while it begins before `end`; the list's `]` closes the run.
/// What a worker reads of a list cut into runs at guessed places (`ParallelListDecoding`):
/// `next` is where the element after the run begins (or just past `]`), which the next run's
/// start must equal for the guess to have been right.
public struct JSONListRun<Element> {
    public var elements: [Element]
    public var next: Int
    public var closed: Bool

    public static func read(
        _ bytes: UnsafeRawBufferPointer, from start: Int, before end: Int, element: (inout JSONByteReader) -> Element?
    ) -> JSONListRun? {
        var reader = JSONByteReader(bytes, offset: start)
        var elements: [Element] = []
        while true {
            guard let value = element(&reader) else { return nil }
            elements.append(value)
            if reader.consume(0x2C) {
                reader.skipWhitespace()
                if reader.offset >= end { return JSONListRun(elements: elements, next: reader.offset, closed: false) }
                continue
            }
            guard reader.consume(0x5D) else { return nil }
            return JSONListRun(elements: elements, next: reader.offset, closed: true)
        }
    }
}
