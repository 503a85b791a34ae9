import Foundation

/// How deeply a JSON text nests, checked before anything parses it: Foundation's parser and
/// every recursive walk after it (unknown fields kept as `JSONValue`, error locators) use the
/// stack, and a file or request nested ten thousand deep would crash the process. Any JSON
/// LicenseDesk reads — state files, journal lines, imports, `--user`, batch lines — goes
/// through this first. It lives in the lowest module so every reader can reach it.
public enum JSONNesting {
    /// Deeper than any Graph response (a handful of levels) by far; far from the stack's end.
    public static let maximumDepth = 256

    /// Where the text first nests deeper than `limit`: 1-based line and column, or nil.
    public static func firstTooDeep(in data: Data, limit: Int = maximumDepth) -> (line: Int, column: Int)? {
        data.withUnsafeBytes { buffer -> (line: Int, column: Int)? in
            guard let offset = firstTooDeepOffset(in: buffer, limit: limit) else { return nil }
            return position(of: offset, in: buffer)
        }
    }

    /// The error message for a text that nests too deeply, or nil.
    public static func problem(in data: Data, limit: Int = maximumDepth) -> String? {
        guard let (line, column) = firstTooDeep(in: data, limit: limit) else { return nil }
        return "line \(line), column \(column): JSON nested more than \(limit) levels deep; nothing was read"
    }

    private static func firstTooDeepOffset(in bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for offset in 0..<bytes.count {
            let byte = bytes[offset]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {  // backslash
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:  // [ {
                depth += 1
                if depth > limit { return offset }
            case 0x5D, 0x7D: depth -= 1  // ] }
            default: break
            }
        }
        return nil
    }

    private static func position(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for index in 0..<offset {
            if bytes[index] == 0x0A {
                line += 1
                column = 1
            } else if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}

/// A JSONDecoder that refuses text nested deeper than `JSONNesting.maximumDepth` before
/// decoding it (a `DecodingError.dataCorrupted` saying where).
public final class NestingCheckedJSONDecoder: JSONDecoder, @unchecked Sendable {
    public override func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let problem = JSONNesting.problem(in: data) {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: problem))
        }
        return try super.decode(type, from: data)
    }
}
