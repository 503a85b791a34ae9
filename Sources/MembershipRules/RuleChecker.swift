import Foundation

/// The checks of meaning: does the operator suit the property, does the value have the right
/// shape, do special rules stand alone. Each returns problems rather than throwing, so the
/// parser can report every one of them.
enum RuleChecker {
    static func comparisonProblems(
        _ operand: RuleOperand, _ op: RuleOperator, _ value: RuleValue, operatorRange: Range<Int>,
        valueRange: Range<Int>
    ) -> [RuleDiagnostic] {
        let kind: RulePropertyKind
        let name: String
        switch operand {
        case .property(let property):
            kind = property.kind
            name = "user.\(property.name)"
        case .item, .assignedPlanField:
            kind = .string
            name = RulePrinter.print(operand)
        case .groupObjectId:
            guard op == .in else {
                return [
                    RuleDiagnostic(
                        .operatorNotSupported, at: operatorRange, detail: "group.objectId takes only -in",
                        hint: "write user.memberOf -any (group.objectId -in [\"<id>\"])")
                ]
            }
            return listProblems(op, value, valueRange: valueRange) ?? []
        }
        let supported = RuleOperator.supported(on: kind)
        guard supported.contains(op) else {
            let hint: String
            switch kind {
            case .assignedPlans, .memberOf: hint = "use \(name) -any (...)"
            default: hint = "use one of " + supported.map(\.rawValue).joined(separator: ", ")
            }
            return [
                RuleDiagnostic(
                    .operatorNotSupported, at: operatorRange,
                    detail: "\(op.rawValue) can't be used on \(name) (\(kind.rawValue))", hint: hint)
            ]
        }
        if let problems = listProblems(op, value, valueRange: valueRange) { return problems }
        switch (kind, value) {
        case (.boolean, .boolean), (.boolean, .null): return []
        case (.boolean, .string(let text)) where ["true", "false"].contains(text.lowercased()): return []
        case (.boolean, _):
            return [notApplicable(valueRange, "\(name) is true or false")]
        case (.dateTime, .date), (.dateTime, .now): return []
        case (.dateTime, .null) where op == .eq || op == .ne: return []
        case (.dateTime, .string(let text)) where RuleDates.parse(text) != nil: return []
        case (.dateTime, _):
            return [notApplicable(valueRange, "\(name) is compared with a date such as 2024-01-31T00:00:00Z or system.now")]
        case (_, .null) where op == .eq || op == .ne: return []
        case (_, .null):
            return [notApplicable(valueRange, "null can be used only with -eq and -ne")]
        case (_, .string(let pattern)) where op == .match || op == .notMatch:
            if RuleRegex.make(pattern) == nil {
                return [
                    RuleDiagnostic(
                        .queryCompilationError, at: valueRange,
                        detail: "\"\(pattern)\" is not a valid regular expression",
                        hint: pattern.hasPrefix("*") ? "did you mean \".\(pattern)\"?" : nil)
                ]
            }
            return []
        case (_, .string): return []
        case (_, .boolean):
            return [notApplicable(valueRange, "\(name) holds text", hint: "put the value in double quotes")]
        case (_, .date(_, let written)):
            return [notApplicable(valueRange, "\(name) holds text", hint: "write \"\(written)\" in double quotes")]
        default:
            return [notApplicable(valueRange, "this value can't be compared with \(name)")]
        }
    }

    /// Lists go only with -in/-notIn, and -in/-notIn need a list (`specs/rules.md` §3.4, §7).
    private static func listProblems(_ op: RuleOperator, _ value: RuleValue, valueRange: Range<Int>) -> [RuleDiagnostic]? {
        let wantsList = op == .in || op == .notIn
        switch value {
        case .list: return wantsList ? [] : [notApplicable(valueRange, "a list can be used only with -in and -notIn")]
        default:
            return wantsList
                ? [notApplicable(valueRange, "\(op.rawValue) needs a list such as [\"a\", \"b\"]")] : nil
        }
    }

    private static func notApplicable(_ range: Range<Int>, _ detail: String, hint: String? = nil) -> RuleDiagnostic {
        RuleDiagnostic(.valueNotApplicable, at: range, detail: detail, hint: hint)
    }

    static func unknownOperator(_ word: String, token: RuleToken, operand: RuleOperand) -> RuleDiagnostic {
        let folded = word.lowercased()
        let aliases: [String: RuleOperator] = [
            "equals": .eq, "equal": .eq, "is": .eq, "notequals": .ne, "neq": .ne, "like": .match,
            "notlike": .notMatch, "startwith": .startsWith, "endwith": .endsWith, "contain": .contains,
            "includes": .contains, "regex": .match, "nin": .notIn,
        ]
        var hint: String?
        if let alias = aliases[folded] {
            hint = "did you mean \(alias.rawValue)?"
        } else {
            let nearest = RuleOperator.allCases.map { ($0, EditDistance.between(folded, String($0.rawValue.dropFirst()).lowercased())) }
                .min { $0.1 < $1.1 }
            if let nearest, nearest.1 <= 2, !["gt", "lt"].contains(folded) {
                hint = "did you mean \(nearest.0.rawValue)?"
            } else {
                let kind: RulePropertyKind = if case .property(let p) = operand { p.kind } else { .string }
                hint = "use one of " + RuleOperator.supported(on: kind).map(\.rawValue).joined(separator: ", ")
            }
        }
        return RuleDiagnostic(
            .operatorNotSupported, at: token.start..<token.end, detail: "-\(word) is not an operator", hint: hint)
    }

    static func quantifierProblem(_ property: RuleProperty, _ quantifier: RuleQuantifier, range: Range<Int>) -> RuleDiagnostic? {
        switch property.kind {
        case .stringCollection, .assignedPlans: return nil
        case .memberOf:
            return quantifier == .all
                ? RuleDiagnostic(
                    .operatorNotSupported, at: range, detail: "user.memberOf takes only -any",
                    hint: "write user.memberOf -any (group.objectId -in [\"<id>\"])") : nil
        default:
            return RuleDiagnostic(
                .operatorNotSupported, at: range,
                detail: "\(quantifier.rawValue) works only on collections, and user.\(property.name) is a single value")
        }
    }

    /// memberOf rules can't be combined with anything else (`specs/rules.md` §3.7).
    static func standAloneProblems(in expression: RuleExpression, tokens: [RuleToken]) -> [RuleDiagnostic] {
        if case .quantified(let property, _, _) = expression, property.kind == .memberOf { return [] }
        guard contains(expression, where: { if case .quantified(let p, _, _) = $0 { p.kind == .memberOf } else { false } })
        else { return [] }
        let token = tokens.first { if case .word(let w) = $0.kind { w.lowercased() == "user.memberof" } else { false } }
        let range = token.map { $0.start..<$0.end } ?? 0..<1
        return [
            RuleDiagnostic(
                .queryCompilationError, at: range,
                detail: "a user.memberOf rule can't be combined with other expressions",
                hint: "put the other conditions in their own group")
        ]
    }

    static func contains(_ expression: RuleExpression, where test: (RuleExpression) -> Bool) -> Bool {
        if test(expression) { return true }
        switch expression {
        case .or(let terms), .and(let terms): return terms.contains { contains($0, where: test) }
        case .not(let inner), .quantified(_, _, let inner): return contains(inner, where: test)
        case .comparison, .directReports: return false
        }
    }
}

/// Regular expressions as Entra evaluates them: .NET syntax, case-insensitive, a search
/// (Regex.IsMatch), not a whole-string match. ICU's engine (NSRegularExpression) is close to
/// .NET's; known differences: no right-to-left mode, no balancing groups, `\Z` semantics equal.
public enum RuleRegex {
    public static func make(_ pattern: String) -> NSRegularExpression? {
        try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    }
}

/// Dates in rules: ISO 8601 instants and `p<n>d` durations.
enum RuleDates {
    static func parse(_ text: String) -> Date? { ISO8601Text.parse(text, dateOnly: true) }

    static func days(inDuration text: String) -> Int? {
        let folded = text.lowercased()
        guard folded.hasPrefix("p"), folded.hasSuffix("d") else { return nil }
        return Int(folded.dropFirst().dropLast())
    }
}
