import Foundation
import LicenseModel

/// Finds the first syntax error in a JSON document and where it is (1-based line and column),
/// because Foundation's decoder says only that the data is "not valid JSON".
public struct JSONSyntaxLocator {
    struct Failure: Error {
        let offset: Int
        let message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    /// Objects and arrays open at `index`: bounded like every JSON reader (`JSONNesting`).
    private var depth = 0

    public static func firstError(in data: Data) -> (line: Int, column: Int, message: String)? {
        var scanner = JSONSyntaxLocator(bytes: Array(data))
        do {
            try scanner.document()
            return nil
        } catch {
            let (line, column) = position(of: error.offset, in: scanner.bytes)
            return (line, column, error.message)
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        let column = bytes[lineStart..<min(offset, bytes.count)].filter { $0 & 0xC0 != 0x80 }.count + 1
        return (line, column)
    }

    private mutating func document() throws(Failure) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try value()
        skipSpace()
        if index < bytes.count { throw Failure(offset: index, message: "unexpected text after the end of the document") }
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func failure(_ message: String) -> Failure {
        Failure(offset: index, message: index < bytes.count ? message : "the document ends too early")
    }

    private mutating func value() throws(Failure) {
        skipSpace()
        guard index < bytes.count else { throw failure("a value is missing") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            if depth > JSONLimits.maximumDepth { throw failure("nested more than \(JSONLimits.maximumDepth) levels deep") }
            if bytes[index] == UInt8(ascii: "{") { try object() } else { try array() }
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): number()
        default: throw failure("unexpected character '\(String(decoding: [bytes[index]], as: UTF8.self))' where a value should be")
        }
    }

    private mutating func object() throws(Failure) {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a field name in quotes") }
            try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after the field name") }
            index += 1
            try value()
            skipSpace()
            guard index < bytes.count else { throw failure("the object is never closed") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            throw failure("expected ',' or '}' in the object")
        }
    }

    private mutating func array() throws(Failure) {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try value()
            skipSpace()
            guard index < bytes.count else { throw failure("the array is never closed") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            throw failure("expected ',' or ']' in the array")
        }
    }

    private mutating func string() throws(Failure) {
        let start = index
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: throw failure("a control character inside a string")
            default: index += 1
            }
        }
        index = start
        throw failure("the string that starts here is never closed")
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("unexpected word where a value should be")
        }
        index += expected.count
    }

    private mutating func number() {
        while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
    }
}
