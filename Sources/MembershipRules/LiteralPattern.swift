/// A `-match` pattern that is only literal text and `.*` between, such as
/// `^a.*@contoso\.com$`, answered without a regular expression engine.
///
/// Such patterns are most of what admins write, and ICU costs a microsecond or more per value
/// (the string bridged to UTF-16, then matched); at a million users and dozens of rules that
/// was a sixth of a full evaluation. The answer is ICU's own (`RuleRegex`: case-insensitive,
/// `.` stops at a line end, `$` also matches before a final line end) for the values it takes:
/// printable ASCII only. Anything else, a Kelvin sign that folds to `k` or a line break, is
/// left to ICU (`matches` returns nil).
struct LiteralPattern: Sendable {
    /// The literal runs between `.*`, lowercased ASCII.
    private let segments: [[UInt8]]
    private let anchoredAtStart: Bool
    private let anchoredAtEnd: Bool

    init?(_ pattern: String) {
        // ICU refuses an empty pattern, so no rule holds one.
        guard !pattern.isEmpty else { return nil }
        var bytes = Array(pattern.utf8)
        var start = false
        var end = false
        if bytes.first == UInt8(ascii: "^") {
            start = true
            bytes.removeFirst()
        }
        // A final `$` that is not escaped (an odd run of backslashes before it escapes it).
        if bytes.last == UInt8(ascii: "$") {
            var backslashes = 0
            for byte in bytes.dropLast().reversed() {
                guard byte == UInt8(ascii: "\\") else { break }
                backslashes += 1
            }
            // `\$` is a dollar sign, read below as any escaped mark.
            if backslashes % 2 == 0 {
                end = true
                bytes.removeLast()
            }
        }
        var segments: [[UInt8]] = [[]]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                segments.append([])
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\\") {
                // An escaped punctuation mark is itself; `\d`, `\w`, `\Q` and the like are not literal.
                guard index + 1 < bytes.count, Self.isEscapableLiteral(bytes[index + 1]) else { return nil }
                segments[segments.count - 1].append(bytes[index + 1])
                index += 2
                continue
            }
            guard Self.isPlainLiteral(byte) else { return nil }
            segments[segments.count - 1].append(byte)
            index += 1
        }
        self.segments = segments.map { $0.map(Self.lower) }
        anchoredAtStart = start
        anchoredAtEnd = end
    }

    /// Whether the pattern occurs in `value`, or nil when the value is not printable ASCII.
    func matches(_ value: String) -> Bool? {
        var value = value
        return value.withUTF8 { search($0) }
    }

    private func search(_ value: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in value where byte < 0x20 || byte > 0x7E { return nil }
        var from = 0
        var until = value.count
        if anchoredAtEnd {
            // `$` is the end here: no line end can precede it in printable ASCII.
            guard let last = segments.last, hasSuffix(value, last, before: until) else { return false }
            until -= last.count
        }
        let middle = anchoredAtEnd ? segments.dropLast() : segments[...]
        for (position, segment) in middle.enumerated() {
            if position == 0 && anchoredAtStart {
                guard hasPrefix(value, segment, at: 0, before: until) else { return false }
                from = segment.count
                continue
            }
            guard let found = find(segment, in: value, from: from, before: until) else { return false }
            from = found + segment.count
        }
        // `^literal$` (one segment, both anchors): the suffix found above must also be the prefix.
        if anchoredAtStart && anchoredAtEnd && segments.count == 1 { return value.count == segments[0].count && from <= until }
        return from <= until
    }

    private func hasPrefix(_ value: UnsafeBufferPointer<UInt8>, _ segment: [UInt8], at offset: Int, before limit: Int) -> Bool {
        guard offset + segment.count <= limit else { return false }
        for (i, byte) in segment.enumerated() where Self.lower(value[offset + i]) != byte { return false }
        return true
    }

    private func hasSuffix(_ value: UnsafeBufferPointer<UInt8>, _ segment: [UInt8], before limit: Int) -> Bool {
        guard limit >= segment.count else { return false }
        return hasPrefix(value, segment, at: limit - segment.count, before: limit)
    }

    /// The first offset at or after `from` where `segment` starts and ends by `limit`.
    private func find(_ segment: [UInt8], in value: UnsafeBufferPointer<UInt8>, from: Int, before limit: Int) -> Int? {
        guard !segment.isEmpty else { return from <= limit ? from : nil }
        var offset = from
        while offset + segment.count <= limit {
            if hasPrefix(value, segment, at: offset, before: limit) { return offset }
            offset += 1
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Letters, digits and marks that mean themselves unescaped in ICU's syntax.
    private static func isPlainLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "@"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: ","),
            UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: ";"),
            UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "~"), UInt8(ascii: " "):
            true
        default: false
        }
    }

    /// Punctuation that a backslash makes literal (a backslash before a letter or digit is a
    /// class or an escape of its own).
    private static func isEscapableLiteral(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !isLetterOrDigit(byte)
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
