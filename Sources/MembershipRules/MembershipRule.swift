import Foundation

/// A checked, compiled membership rule.
///
/// ```swift
/// let rule = try MembershipRule("user.extensionAttribute10 -eq \"E3 All\"")
/// rule.matches(user)          // compiled once; evaluates without re-parsing
/// rule.canonicalText          // user.extensionAttribute10 -eq "E3 All"
/// ```
public struct MembershipRule: Sendable, CustomStringConvertible {
    /// The rule as written.
    public let text: String
    public let expression: RuleExpression
    let root: CompiledNode
    /// Whether any `-match` of this rule ran out of time (`BoundedRegex`); shared by copies.
    public let matchBudget = MatchBudget()

    /// Parses, checks and compiles. Throws every problem found, each with its column.
    public init(_ text: String) throws(RuleDiagnostics) {
        self.text = text
        expression = try RuleParser.parse(text)
        root = RuleCompiler(budget: matchBudget).compile(expression)
    }

    /// Canonical rule text; parsing it gives the same tree.
    public var canonicalText: String { expression.description }
    public var description: String { canonicalText }

    public func matches<Subject: RuleSubject>(_ subject: Subject, context: RuleContext = RuleContext()) -> Bool {
        root.evaluate(subject, context)
    }

    /// Every property the rule reads, by canonical name (for sync and impact analysis).
    public var propertiesRead: Set<String> {
        var names: Set<String> = []
        func walk(_ expression: RuleExpression) {
            switch expression {
            case .or(let terms), .and(let terms): terms.forEach(walk)
            case .not(let inner): walk(inner)
            case .quantified(let property, _, let body):
                names.insert(property.name)
                walk(body)
            case .comparison(.property(let property), _, _): names.insert(property.name)
            case .comparison: break
            case .directReports: names.insert("manager")
            }
        }
        walk(expression)
        return names
    }
}
