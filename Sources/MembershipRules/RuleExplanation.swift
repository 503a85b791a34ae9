import Foundation

/// The value of every sub-expression of a rule for one user, as the portal's "Validate rules"
/// details show it.
public struct RuleExplanation: Sendable, Equatable {
    public let expression: String
    public let result: Bool
    /// For comparisons: what the user's property holds (as folded for comparison), or nil.
    public let actual: String?
    public let children: [RuleExplanation]

    /// Indented lines: `true   user.department -eq "sales"   (actual: "sales")`.
    public func lines(indent: Int = 0) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        var line = "\(pad)\(result ? "true " : "false") \(expression)"
        if let actual { line += "   (actual: \(actual))" }
        return [line] + children.flatMap { $0.lines(indent: indent + 1) }
    }
}

extension MembershipRule {
    /// Evaluates the rule for one user and records every sub-expression's value.
    public func explain<Subject: RuleSubject>(_ subject: Subject, context: RuleContext = RuleContext()) -> RuleExplanation {
        Self.explain(root, subject, context)
    }

    private static func explain<Subject: RuleSubject>(_ node: CompiledNode, _ subject: Subject, _ context: RuleContext)
        -> RuleExplanation
    {
        let result = node.evaluate(subject, context)
        switch node.kind {
        case .or(let terms), .and(let terms):
            return RuleExplanation(
                expression: node.source, result: result, actual: nil,
                children: terms.map { explain($0, subject, context) })
        case .not(let inner):
            return RuleExplanation(
                expression: node.source, result: result, actual: nil, children: [explain(inner, subject, context)])
        case .text(let source, _):
            let actual = CompiledNode.value(source, subject, .none)
            return RuleExplanation(expression: node.source, result: result, actual: quoted(actual), children: [])
        case .textCollection(let collection, _), .anyItem(let collection, _), .allItems(let collection, _):
            let values = subject.foldedStrings(collection)
            return RuleExplanation(
                expression: node.source, result: result, actual: "[" + values.map { quoted($0) }.joined(separator: ", ") + "]",
                children: [])
        case .boolean(let property, _, _):
            return RuleExplanation(
                expression: node.source, result: result, actual: subject.boolean(property).map { "\($0)" } ?? "null",
                children: [])
        case .hireDate:
            let date = subject.employeeHireDate.map { ISO8601DateFormatter().string(from: $0) } ?? "null"
            return RuleExplanation(expression: node.source, result: result, actual: date, children: [])
        case .anyPlan, .allPlans:
            return RuleExplanation(
                expression: node.source, result: result, actual: "\(subject.rulePlans.count) assigned plans",
                children: [])
        case .memberOf, .directReports:
            return RuleExplanation(
                expression: node.source, result: result,
                actual: subject.foldedManagerID.map { "manager \"\($0)\"" }, children: [])
        }
    }

    private static func quoted(_ value: String?) -> String {
        guard let value else { return "null" }
        return RulePrinter.quoted(value)
    }
}
