/// Splits rule text into tokens. Offsets count characters, so columns match what admins see.
struct RuleLexer {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    static func tokens(of text: String) throws(RuleDiagnostic) -> [RuleToken] {
        var lexer = RuleLexer(text)
        var tokens: [RuleToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private static func isSpace(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n"
    }
    private static func isDash(_ c: Character) -> Bool { c == "-" || c == "\u{2013}" }
    private static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "$"
    }

    private mutating func next() throws(RuleDiagnostic) -> RuleToken {
        while position < characters.count, Self.isSpace(characters[position]) { position += 1 }
        let start = position
        guard position < characters.count else { return RuleToken(kind: .end, start: start, end: start) }
        let c = characters[position]
        func single(_ kind: RuleToken.Kind) -> RuleToken {
            position += 1
            return RuleToken(kind: kind, start: start, end: position)
        }
        switch c {
        case "(": return single(.openParen)
        case ")": return single(.closeParen)
        case "[": return single(.openBracket)
        case "]": return single(.closeBracket)
        case ",": return single(.comma)
        case "\"": return try doubleQuoted()
        case "'": return try singleQuoted()
        case "`": return try bareEscaped()
        default: break
        }
        if Self.isDash(c), position + 1 < characters.count, characters[position + 1].isLetter {
            position += 1
            let word = readWhile { $0.isLetter }
            return RuleToken(kind: .dashWord(word), start: start, end: position)
        }
        if c.isNumber {
            let text = readWhile { $0.isLetter || $0.isNumber || $0 == ":" || $0 == "." || $0 == "+" || Self.isDash($0) }
            return RuleToken(kind: .literal(text), start: start, end: position)
        }
        if Self.isWordCharacter(c) {
            let text = readWhile(Self.isWordCharacter)
            return RuleToken(kind: .word(text), start: start, end: position)
        }
        throw RuleDiagnostic(
            .queryCompilationError, at: start..<start + 1,
            detail: "unexpected character \(Self.visible(c))")
    }

    private mutating func readWhile(_ accept: (Character) -> Bool) -> String {
        let start = position
        while position < characters.count, accept(characters[position]) { position += 1 }
        return String(characters[start..<position])
    }

    /// `"..."` where `` `" `` is a quote and ``` `` ``` a backtick.
    private mutating func doubleQuoted() throws(RuleDiagnostic) -> RuleToken {
        let start = position
        position += 1
        var value = ""
        while position < characters.count {
            let c = characters[position]
            if c == "`", position + 1 < characters.count,
                characters[position + 1] == "\"" || characters[position + 1] == "`"
            {
                value.append(characters[position + 1])
                position += 2
                continue
            }
            position += 1
            if c == "\"" { return RuleToken(kind: .string(value), start: start, end: position) }
            value.append(c)
        }
        throw RuleDiagnostic(
            .queryCompilationError, at: start..<characters.count,
            detail: "the string that starts here is never closed", hint: "add a closing \"")
    }

    /// `'...'` where `''` is one quote.
    private mutating func singleQuoted() throws(RuleDiagnostic) -> RuleToken {
        let start = position
        position += 1
        var value = ""
        while position < characters.count {
            let c = characters[position]
            position += 1
            if c == "'" {
                if position < characters.count, characters[position] == "'" {
                    value.append("'")
                    position += 1
                    continue
                }
                return RuleToken(kind: .string(value), start: start, end: position)
            }
            value.append(c)
        }
        throw RuleDiagnostic(
            .queryCompilationError, at: start..<characters.count,
            detail: "the string that starts here is never closed", hint: "add a closing '")
    }

    /// The documented bare form ``user.department -eq `"Sales`"``: the value keeps its quotes.
    private mutating func bareEscaped() throws(RuleDiagnostic) -> RuleToken {
        let start = position
        guard position + 1 < characters.count, characters[position + 1] == "\"" else {
            throw RuleDiagnostic(
                .queryCompilationError, at: start..<start + 1,
                detail: "a backtick escapes only a double quote or another backtick")
        }
        position += 2
        var value = "\""
        while position < characters.count {
            let c = characters[position]
            if c == "`", position + 1 < characters.count, characters[position + 1] == "\"" {
                position += 2
                return RuleToken(kind: .string(value + "\""), start: start, end: position)
            }
            if Self.isSpace(c) || c == ")" { break }
            value.append(c)
            position += 1
        }
        throw RuleDiagnostic(
            .queryCompilationError, at: start..<position,
            detail: "the escaped value that starts here is never closed", hint: "end it with `\"")
    }

    static func visible(_ c: Character) -> String {
        let scalar = c.unicodeScalars.first!
        if scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value) {
            return "U+" + String(scalar.value, radix: 16, uppercase: true)
        }
        return "'\(c)'"
    }
}
