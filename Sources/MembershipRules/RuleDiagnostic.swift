/// The message classes Entra ID uses when it rejects a rule (`specs/rules.md` §4).
public enum RuleMessage: String, Sendable, CaseIterable {
    case attributeNotSupported = "Attribute not supported."
    case operatorNotSupported = "Operator isn't supported on attribute."
    case queryCompilationError = "Query compilation error."
    case valueNotApplicable = "Value can't be applied to property."
    case invalidNotOperands = "Invalid operands found for operator -not"
    case ruleTooLong = "The rule is longer than 3,072 characters."
}

/// One problem in a rule: its class, where it starts, what exactly is wrong and how to fix it.
public struct RuleDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: RuleMessage
    /// Character offsets (0-based) of the offending text.
    public let range: Range<Int>
    /// What is wrong, in words: "user.departmnet is not a user property".
    public let detail: String
    /// A fix where one is obvious: "did you mean user.department?"
    public let hint: String?

    public init(_ message: RuleMessage, at range: Range<Int>, detail: String, hint: String? = nil) {
        self.message = message
        self.range = range
        self.detail = detail
        self.hint = hint
    }

    /// 1-based column of the first offending character.
    public var column: Int { range.lowerBound + 1 }

    /// "Attribute not supported. user.departmnet is not a user property; did you mean ...?"
    public var text: String {
        var out = message.rawValue
        if !detail.isEmpty { out += " " + detail }
        if let hint { out += "; " + hint }
        return out
    }

    public var description: String { "column \(column): \(text)" }

    /// The line of the rule holding the problem, and a caret line under it.
    public func caretLines(for rule: String) -> [String] {
        let characters = Array(rule)
        var lineStart = 0
        var index = 0
        while index < min(range.lowerBound, characters.count) {
            if characters[index] == "\n" { lineStart = index + 1 }
            index += 1
        }
        var lineEnd = lineStart
        while lineEnd < characters.count, characters[lineEnd] != "\n", characters[lineEnd] != "\r" {
            lineEnd += 1
        }
        let line = String(characters[lineStart..<lineEnd]).map { $0 == "\t" ? " " : $0 }
        let offset = range.lowerBound - lineStart
        let width = max(1, min(range.count, max(1, lineEnd - range.lowerBound)))
        return [String(line), String(repeating: " ", count: max(0, offset)) + String(repeating: "^", count: width)]
    }
}

/// Every problem found in a rule. Thrown by `MembershipRule.init`.
public struct RuleDiagnostics: Error, Sendable, CustomStringConvertible {
    public let problems: [RuleDiagnostic]
    public var first: RuleDiagnostic { problems[0] }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
