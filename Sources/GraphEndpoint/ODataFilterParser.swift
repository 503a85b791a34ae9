/// Parses `$filter` text into an `ODataFilter`. Recursive descent; the grammar rule of each
/// function is the comment above it. Bounded: at most 4,096 characters and 64 levels of nesting,
/// so a hostile query can't exhaust the server's stack.
public struct ODataFilterParser {
    public static let maximumLength = 4_096
    public static let maximumDepth = 64

    private let characters: [Character]
    private var position = 0
    private var depth = 0

    public static func parse(_ text: String) throws(ODataFilterError) -> ODataFilter {
        guard text.count <= maximumLength else {
            throw ODataFilterError(position: maximumLength, reason: "the filter is longer than \(maximumLength) characters")
        }
        var parser = ODataFilterParser(characters: Array(text))
        let filter = try parser.expression()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else { throw parser.error("unexpected text after the end of the expression") }
        return filter
    }

    private init(characters: [Character]) { self.characters = characters }

    // expression := andExpression ("or" andExpression)*
    private mutating func expression() throws(ODataFilterError) -> ODataFilter {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("the filter nests deeper than \(Self.maximumDepth) levels") }
        var left = try andExpression()
        while keyword("or") { left = .or(left, try andExpression()) }
        return left
    }

    // andExpression := unary ("and" unary)*
    private mutating func andExpression() throws(ODataFilterError) -> ODataFilter {
        var left = try unary()
        while keyword("and") { left = .and(left, try unary()) }
        return left
    }

    // unary := "not" unary | primary
    private mutating func unary() throws(ODataFilterError) -> ODataFilter {
        if keyword("not") {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else { throw error("the filter nests deeper than \(Self.maximumDepth) levels") }
            return .not(try unary())
        }
        return try primary()
    }

    // primary := "(" expression ")" | function | path ("/any(" lambda ")" | operator literal | "in" list)
    private mutating func primary() throws(ODataFilterError) -> ODataFilter {
        skipSpaces()
        if take("(") {
            let inner = try expression()
            guard take(")") else { throw error("a ( is not closed") }
            return inner
        }
        let start = position
        let name = identifier()
        guard !name.isEmpty else { throw error("expected a property, a function or (") }
        if let function = ODataFilter.StringFunction(rawValue: name.lowercased()), peekIsCall() {
            _ = take("(")
            let path = try pathArgument()
            guard take(",") else { throw error("\(name) takes a property and a string") }
            guard case .string(let value) = try literal() else { throw error("\(name) compares with a string in single quotes") }
            guard take(")") else { throw error("\(name)( is not closed") }
            return .function(name: function, path: path, value: value)
        }
        position = start
        var path = try path()
        if path.last?.lowercased().hasPrefix("any(") == true || (path.last?.lowercased() == "any" && peekIsCall()) {
            path.removeLast()
            return try lambda(over: path)
        }
        if keyword("in") {
            guard take("(") else { throw error("in takes a list in parentheses: in ('a','b')") }
            var values: [ODataLiteral] = [try literal()]
            while take(",") { values.append(try literal()) }
            guard take(")") else { throw error("the in list is not closed") }
            return .isIn(path: path, values: values)
        }
        skipSpaces()
        let opStart = position
        let op = identifier().lowercased()
        guard let comparison = ODataFilter.ComparisonOperator(rawValue: op) else {
            position = opStart
            throw error(op.isEmpty ? "expected an operator (eq, ne, in, …) after \(path.joined(separator: "/"))" : "\(op) is not an operator")
        }
        return .compare(path: path, op: comparison, value: try literal())
    }

    // lambda := "(" variable ":" expression-over-variable ")"   (after "collection/any")
    private mutating func lambda(over collection: [String]) throws(ODataFilterError) -> ODataFilter {
        guard take("(") else { throw error("any takes (variable: condition)") }
        skipSpaces()
        let variable = identifier()
        guard !variable.isEmpty, take(":") else { throw error("any( needs a variable and a colon: any(s:s/skuId eq …)") }
        let body = try expression()
        guard take(")") else { throw error("any( is not closed") }
        return .any(collection: collection, variable: variable, body: body)
    }

    // path := identifier ("/" identifier)*
    private mutating func path() throws(ODataFilterError) -> [String] {
        var parts = [identifier()]
        while peek() == "/" {
            position += 1
            let part = identifier()
            guard !part.isEmpty else { throw error("a / must be followed by a property") }
            if part.lowercased() == "any" {
                parts.append("any")
                return parts
            }
            parts.append(part)
        }
        return parts
    }

    private mutating func pathArgument() throws(ODataFilterError) -> [String] {
        skipSpaces()
        let parts = try path()
        guard parts.first?.isEmpty == false else { throw error("expected a property") }
        return parts
    }

    // literal := "'" text "'" | "true" | "false" | "null" | number | guid | datetime
    private mutating func literal() throws(ODataFilterError) -> ODataLiteral {
        skipSpaces()
        if take("'") {
            var text = ""
            while position < characters.count {
                let character = characters[position]
                position += 1
                if character == "'" {
                    if peek() == "'" {
                        text.append("'")
                        position += 1
                        continue
                    }
                    return .string(text)
                }
                text.append(character)
            }
            throw error("a string is not closed with '")
        }
        let start = position
        while position < characters.count, characters[position].isLetter || characters[position].isNumber || "-.:+".contains(characters[position]) {
            position += 1
        }
        let word = String(characters[start..<position])
        switch word.lowercased() {
        case "": throw error("expected a value")
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "null": return .null
        default:
            if let number = Double(word), word.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return .number(number) }
            // GUIDs and DateTimeOffsets go unquoted (Q2): kept as their text.
            return .string(word)
        }
    }

    // MARK: - Characters

    private mutating func identifier() -> String {
        skipSpaces()
        let start = position
        while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
            position += 1
        }
        return String(characters[start..<position])
    }

    private mutating func keyword(_ word: String) -> Bool {
        skipSpaces()
        let start = position
        let found = identifier()
        if found.lowercased() == word, position >= characters.count || !characters[position].isLetter { return true }
        position = start
        return false
    }

    private func peekIsCall() -> Bool {
        var index = position
        while index < characters.count, characters[index] == " " { index += 1 }
        return index < characters.count && characters[index] == "("
    }

    private mutating func take(_ character: Character) -> Bool {
        skipSpaces()
        guard peek() == character else { return false }
        position += 1
        return true
    }

    private func peek() -> Character? { position < characters.count ? characters[position] : nil }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position] == " " { position += 1 }
    }

    private func error(_ reason: String) -> ODataFilterError { ODataFilterError(position: position, reason: reason) }
}
