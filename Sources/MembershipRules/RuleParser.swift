/// Recursive-descent parser for the grammar of `specs/rules.md` §1.
///
/// Syntax errors stop the parse (nothing sensible follows them); problems of meaning
/// (unknown property, unsuited operator, wrong value) are collected so an admin sees them all.
struct RuleParser {
    private let tokens: [RuleToken]
    private let length: Int
    private var index = 0
    var problems: [RuleDiagnostic] = []

    /// What `_`-style item references mean inside the lambda being parsed.
    var lambdaKind: RulePropertyKind?
    /// How deep the parse is in parentheses and `-not`s: bounded, so no rule (typed, imported
    /// or in a state file) can exhaust the stack here or in the compiler and evaluator.
    private var depth = 0

    init(tokens: [RuleToken], length: Int) {
        self.tokens = tokens
        self.length = length
    }

    static func parse(_ text: String) throws(RuleDiagnostics) -> RuleExpression {
        let length = text.count
        let tokens: [RuleToken]
        do { tokens = try RuleLexer.tokens(of: text) } catch { throw RuleDiagnostics(problems: [error]) }
        var parser = RuleParser(tokens: tokens, length: length)
        var problems: [RuleDiagnostic] = []
        if length > RuleLimits.maximumLength {
            problems.append(
                RuleDiagnostic(
                    .ruleTooLong, at: RuleLimits.maximumLength..<length,
                    detail: "it has \(length) characters"))
        }
        do {
            let expression = try parser.parseRule()
            problems += parser.problems
            problems += RuleChecker.standAloneProblems(in: expression, tokens: tokens)
            if !problems.isEmpty { throw RuleDiagnostics(problems: problems) }
            return expression
        } catch let error as RuleDiagnostic {
            throw RuleDiagnostics(problems: problems + parser.problems + [error])
        } catch let error as RuleDiagnostics {
            throw error
        } catch {
            fatalError("unreachable: \(error)")
        }
    }

    // MARK: - Token helpers

    var current: RuleToken { tokens[index] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func isKeyword(_ keyword: RuleKeyword) -> Bool {
        switch current.kind {
        case .dashWord(let word), .word(let word): word.lowercased() == keyword.rawValue
        default: false
        }
    }

    private func syntaxError(as message: RuleMessage = .queryCompilationError, _ detail: String, hint: String? = nil)
        -> RuleDiagnostic
    {
        let end = max(current.end, current.start + 1)
        return RuleDiagnostic(message, at: current.start..<end, detail: detail, hint: hint)
    }

    // MARK: - Grammar

    // rule = direct_reports | expr
    private mutating func parseRule() throws -> RuleExpression {
        if case .end = current.kind {
            throw syntaxError("the rule is empty", hint: "write a rule such as user.department -eq \"Sales\"")
        }
        if case .word(let word) = current.kind, word.lowercased() == "direct" {
            return try parseDirectReports()
        }
        let expression = try parseOr()
        guard case .end = current.kind else {
            switch current.kind {
            case .closeParen: throw syntaxError("this ) has no matching (")
            case .word, .openParen:
                throw syntaxError("two expressions with nothing between them", hint: "join them with -and or -or")
            default: throw syntaxError("unexpected \(describe(current))")
            }
        }
        return expression
    }

    // direct_reports = "Direct" "Reports" "for" dq_string
    private mutating func parseDirectReports() throws -> RuleExpression {
        advance()
        for expected in ["reports", "for"] {
            guard case .word(let word) = current.kind, word.lowercased() == expected else {
                throw syntaxError("expected '\(expected)' in Direct Reports for \"<manager id>\"")
            }
            advance()
        }
        guard case .string(let id) = current.kind else {
            throw syntaxError("the manager's object id must be quoted", hint: "write Direct Reports for \"<id>\"")
        }
        advance()
        guard case .end = current.kind else {
            throw syntaxError("Direct Reports can't be combined with other expressions")
        }
        return .directReports(managerID: id)
    }

    // or_expr = and_expr { OR and_expr }
    private mutating func parseOr() throws -> RuleExpression {
        var terms = [try parseAnd()]
        while isKeyword(.or) {
            advance()
            terms.append(try parseAnd())
        }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    // and_expr = not_expr { AND not_expr }
    private mutating func parseAnd() throws -> RuleExpression {
        var terms = [try parseNot()]
        while isKeyword(.and) {
            advance()
            terms.append(try parseNot())
        }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    /// Enters one level of nesting, refusing past `RuleLimits.maximumNesting`.
    private mutating func enterNesting() throws {
        depth += 1
        if depth > RuleLimits.maximumNesting {
            throw syntaxError(
                "the rule is nested more than \(RuleLimits.maximumNesting) levels deep (parentheses and -not)",
                hint: "combine conditions with -and and -or instead of nesting them")
        }
    }

    // not_expr = { NOT } primary
    private mutating func parseNot() throws -> RuleExpression {
        guard isKeyword(.not) else { return try parsePrimary() }
        try enterNesting()
        defer { depth -= 1 }
        let notToken = current
        advance()
        if case .word(let word) = current.kind, ["null", "$null"].contains(word.lowercased()) {
            throw RuleDiagnostic(
                .invalidNotOperands, at: notToken.start..<current.end, detail: "",
                hint: "to test for a value write user.<property> -ne null")
        }
        return .not(try parseNot())
    }

    // primary = "(" expr ")" | comparison | collection_pred
    private mutating func parsePrimary() throws -> RuleExpression {
        switch current.kind {
        case .openParen:
            let open = current
            try enterNesting()
            defer { depth -= 1 }
            advance()
            let inner = try parseOr()
            guard case .closeParen = current.kind else {
                if case .end = current.kind {
                    throw RuleDiagnostic(
                        .queryCompilationError, at: open.start..<open.end,
                        detail: "this ( is never closed", hint: "add a )")
                }
                throw syntaxError("expected ) but found \(describe(current))", hint: "join expressions with -and or -or")
            }
            advance()
            return inner
        case .word:
            return try parsePredicate()
        case .end:
            throw syntaxError("the rule ends where an expression should follow")
        case .dashWord(let word) where RuleKeyword(rawValue: word.lowercased()) != nil:
            throw syntaxError("-\(word) needs an expression on its left")
        default:
            throw syntaxError("expected a property such as user.department, found \(describe(current))")
        }
    }

    // comparison = operand cmp_op value ; collection_pred = property (ANY|ALL) lambda
    private mutating func parsePredicate() throws -> RuleExpression {
        let operandToken = current
        let operand = resolveOperand(operandToken)
        advance()
        let operatorToken = current
        let word: String
        switch operatorToken.kind {
        case .dashWord(let text), .word(let text): word = text
        case .end: throw syntaxError("an operator such as -eq must follow \(text(of: operandToken))")
        default: throw syntaxError("expected an operator such as -eq, found \(describe(operatorToken))")
        }
        if word.lowercased() == "not" {
            // `user.mail -not null` (FOWLER): Entra's own message for it.
            throw RuleDiagnostic(
                .invalidNotOperands, at: operatorToken.start..<operatorToken.end, detail: "",
                hint: "to test for a value write \(text(of: operandToken)) -ne null")
        }
        if let quantifier = RuleQuantifier(rawValue: "-" + word.lowercased()) {
            advance()
            return try parseQuantified(operand, quantifier, operandToken: operandToken, quantifierToken: operatorToken)
        }
        guard let op = RuleOperator.named(word) else {
            if case .word = operatorToken.kind, RuleKeyword(rawValue: word.lowercased()) == nil {
                throw syntaxError("expected an operator after \(text(of: operandToken)), found '\(word)'")
            }
            problems.append(RuleChecker.unknownOperator(word, token: operatorToken, operand: operand))
            advance()
            _ = try parseValue()
            return .comparison(operand, .eq, .null)
        }
        advance()
        let valueStart = current
        let value = try parseValue()
        let valueRange = valueStart.start..<max(tokens[index - 1].end, valueStart.start + 1)
        problems += RuleChecker.comparisonProblems(
            operand, op, value, operatorRange: operatorToken.start..<operatorToken.end, valueRange: valueRange)
        return .comparison(operand, op, value)
    }

    private mutating func parseQuantified(
        _ operand: RuleOperand, _ quantifier: RuleQuantifier, operandToken: RuleToken, quantifierToken: RuleToken
    ) throws -> RuleExpression {
        let range = quantifierToken.start..<quantifierToken.end
        guard case .property(let property) = operand else {
            throw RuleDiagnostic(
                .operatorNotSupported, at: range, detail: "\(quantifier.rawValue) needs a user property on its left")
        }
        if let problem = RuleChecker.quantifierProblem(property, quantifier, range: range) { problems.append(problem) }
        let saved = lambdaKind
        lambdaKind = property.kind
        defer { lambdaKind = saved }
        let body: RuleExpression
        if case .openParen = current.kind {
            body = try parsePrimary()
        } else {
            body = try parsePredicate()
        }
        return .quantified(property, quantifier, body)
    }

    // value = string | null | true | false | list | date_expr
    private mutating func parseValue() throws -> RuleValue {
        let token = current
        switch token.kind {
        case .string(let text):
            advance()
            return .string(text)
        case .openBracket:
            return try parseList()
        case .literal(let text):
            advance()
            guard let date = RuleDates.parse(text) else {
                throw RuleDiagnostic(
                    .valueNotApplicable, at: token.start..<token.end,
                    detail: "\(text) is neither a quoted string nor an ISO 8601 date",
                    hint: "put text values in double quotes")
            }
            return .date(date, written: text)
        case .word(let word):
            switch word.lowercased() {
            case "null", "$null":
                advance()
                return .null
            case "true", "false":
                advance()
                return .boolean(word.lowercased() == "true")
            case "system.now":
                advance()
                return try parseNowOffset()
            default:
                throw syntaxError(as: .valueNotApplicable, "\(word) is not a value", hint: "put text values in double quotes")
            }
        case .end:
            throw syntaxError("a value must follow the operator")
        default:
            throw syntaxError("expected a value, found \(describe(token))")
        }
    }

    // list = "[" [ string { "," string } ] "]"
    private mutating func parseList() throws -> RuleValue {
        let open = current
        advance()
        var items: [String] = []
        if case .closeBracket = current.kind {
            advance()
            return .list(items)
        }
        while true {
            guard case .string(let item) = current.kind else {
                if case .end = current.kind {
                    throw RuleDiagnostic(
                        .queryCompilationError, at: open.start..<open.end, detail: "this [ is never closed",
                        hint: "add a ]")
                }
                if case .closeBracket = current.kind { throw syntaxError("a list can't end with a comma") }
                throw syntaxError("list items must be quoted strings, found \(describe(current))")
            }
            items.append(item)
            advance()
            if case .comma = current.kind {
                advance()
                continue
            }
            guard case .closeBracket = current.kind else {
                if case .end = current.kind {
                    throw RuleDiagnostic(
                        .queryCompilationError, at: open.start..<open.end, detail: "this [ is never closed",
                        hint: "add a ]")
                }
                throw syntaxError("expected , or ] in the list, found \(describe(current))")
            }
            advance()
            return .list(items)
        }
    }

    // date_expr = "system.now" [ ("-plus" | "-minus") duration ]
    private mutating func parseNowOffset() throws -> RuleValue {
        guard case .dashWord(let word) = current.kind, ["plus", "minus"].contains(word.lowercased()) else {
            return .now(offsetDays: 0)
        }
        let sign = word.lowercased() == "plus" ? 1 : -1
        advance()
        let token = current
        let text: String
        switch token.kind {
        case .word(let w), .literal(let w): text = w
        default: throw syntaxError("expected a duration such as p30d after -\(word)")
        }
        guard let days = RuleDates.days(inDuration: text) else {
            throw syntaxError(as: .valueNotApplicable, "\(text) is not a duration in days", hint: "write p30d for 30 days")
        }
        advance()
        return .now(offsetDays: sign * days)
    }
}

/// Limits of `specs/rules.md` §3.10.
public enum RuleLimits {
    public static let maximumLength = 3072
    /// Parentheses and `-not`s inside one another. Entra publishes no figure; real rules use
    /// a handful, and 100 keeps every recursive walk of the tree far from the stack's end.
    public static let maximumNesting = 100
}
