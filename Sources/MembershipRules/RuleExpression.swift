import Foundation

/// A parsed membership rule. It prints back as canonical rule text (`description`).
public indirect enum RuleExpression: Equatable, Sendable {
    case or([RuleExpression])
    case and([RuleExpression])
    case not(RuleExpression)
    case comparison(RuleOperand, RuleOperator, RuleValue)
    /// `user.proxyAddresses -any (_ -contains "x")`: the body's operands are item references.
    case quantified(RuleProperty, RuleQuantifier, RuleExpression)
    /// `Direct Reports for "<managerObjectId>"`: users whose manager is that object.
    case directReports(managerID: String)
}

/// What a comparison reads: a user property, or inside a lambda the current item.
public enum RuleOperand: Equatable, Sendable {
    case property(RuleProperty)
    /// `_` inside `-any`/`-all` over a string collection.
    case item
    /// `assignedPlan.servicePlanId`, `assignedPlan.service`, `assignedPlan.capabilityStatus`.
    case assignedPlanField(AssignedPlanField)
    /// `group.objectId` inside `user.memberOf -any (...)`.
    case groupObjectId
}

/// The fields of an assigned plan a rule may test.
public enum AssignedPlanField: String, CaseIterable, Sendable {
    case servicePlanId, service, capabilityStatus
}

/// A literal on the right of an operator.
public enum RuleValue: Equatable, Sendable {
    case string(String)
    case list([String])
    case null
    case boolean(Bool)
    /// An absolute instant (ISO 8601 as written, and the parsed date).
    case date(Date, written: String)
    /// `system.now`, optionally `-plus`/`-minus` a number of days.
    case now(offsetDays: Int)
}

extension RuleExpression: CustomStringConvertible {
    /// Canonical rule text: canonical keyword and property spellings, double-quoted strings,
    /// and parentheses only where precedence needs them.
    public var description: String { RulePrinter.print(self) }
}

enum RulePrinter {
    static func print(_ expression: RuleExpression) -> String {
        switch expression {
        case .or(let terms):
            return terms.map { print($0) }.joined(separator: " -or ")
        case .and(let terms):
            return terms.map { term in
                if case .or = term { return "(\(print(term)))" }
                return print(term)
            }.joined(separator: " -and ")
        case .not(let inner):
            switch inner {
            case .comparison, .not: return "-not \(print(inner))"
            default: return "-not (\(print(inner)))"
            }
        case .comparison(let operand, let op, let value):
            return "\(print(operand)) \(op.rawValue) \(print(value))"
        case .quantified(let property, let quantifier, let body):
            return "user.\(property.name) \(quantifier.rawValue) (\(print(body)))"
        case .directReports(let managerID):
            return "Direct Reports for \(quoted(managerID))"
        }
    }

    static func print(_ operand: RuleOperand) -> String {
        switch operand {
        case .property(let property): "user.\(property.name)"
        case .item: "_"
        case .assignedPlanField(let field): "assignedPlan.\(field.rawValue)"
        case .groupObjectId: "group.objectId"
        }
    }

    static func print(_ value: RuleValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .list(let items): "[" + items.map(quoted).joined(separator: ", ") + "]"
        case .null: "null"
        case .boolean(let flag): flag ? "true" : "false"
        case .date(_, let written): written
        case .now(let days):
            days == 0 ? "system.now" : "system.now \(days > 0 ? "-plus" : "-minus") p\(abs(days))d"
        }
    }

    /// Double quotes with backtick escapes (`specs/rules.md` §7).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "`\""
            case "`": out += "``"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
