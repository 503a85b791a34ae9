import Foundation
import LicenseModel
import MembershipRules

/// Tab completion of the word before the cursor: rule properties (`user.dep` → `user.department`),
/// operators (`-sta` → `-startsWith`), `:` verbs and their arguments (theme and report names,
/// UPNs, group names). The vocabularies come from the rule language and the tenant.
struct LineCompletion: Equatable {
    /// How many characters before the cursor the completion replaces.
    var replacing: Int
    var candidates: [String]

    /// The longest text every candidate begins with (what one Tab inserts).
    var commonPrefix: String {
        guard var prefix = candidates.first else { return "" }
        for candidate in candidates.dropFirst() {
            while !candidate.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() }
        }
        return prefix
    }

    static let verbs = ["user", "group", "report", "explain", "theme", "seats", "license", "reprocess", "audit", "messages", "tour", "q"]

    static var ruleWords: [String] {
        RulePropertyTable.all.map { "user.\($0.name)" } + RuleOperator.allCases.map(\.rawValue)
            + ["-and", "-or", "-not", "-any", "-all", "user.extensionAttribute"]
    }

    /// Candidates for a rule being typed: the word before the cursor, spelled any case.
    static func forRule(before text: String) -> LineCompletion {
        let word = String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }.reversed())
        let folded = word.lowercased()
        // What comes before the word decides what may follow: after a property, its operators;
        // after a value, -and and -or.
        let before = text.dropLast(word.count).trimmingCharacters(in: .whitespaces)
        let previous = String(before.reversed().prefix { $0 != " " && $0 != "(" }.reversed())
        var words = Array(Set(ruleWords)).sorted()
        if previous.lowercased().hasPrefix("user."),
            let property = RulePropertyTable.all.first(where: { "user.\($0.name)".lowercased() == previous.lowercased() })
        {
            words =
                RuleOperator.supported(on: property.kind).map(\.rawValue)
                + (property.kind == .stringCollection || property.kind == .assignedPlans || property.kind == .memberOf ? ["-any", "-all"] : [])
        } else if previous.hasSuffix("\"") || previous.hasSuffix(")") || ["true", "false", "null"].contains(previous.lowercased()) {
            words = ["-and", "-or"]
        } else if folded.isEmpty {
            return LineCompletion(replacing: 0, candidates: [])
        }
        return LineCompletion(replacing: word.count, candidates: words.filter { $0.lowercased().hasPrefix(folded) && $0.count > word.count })
    }

    /// Candidates for the `:` line: the verb, then its argument.
    static func forCommand(before text: String, tenant: Tenant, themes: [String]) -> LineCompletion {
        guard let space = text.firstIndex(of: " ") else {
            return LineCompletion(replacing: text.count, candidates: verbs.filter { $0.hasPrefix(text.lowercased()) && $0 != text.lowercased() })
        }
        let verb = text[..<space].lowercased()
        let argument = String(text[text.index(after: space)...]).trimmingLeadingSpaces
        let folded = argument.lowercased()
        let names: [String]
        switch verb {
        case "theme": names = themes
        case "report": names = ReportText.Report.allCases.map(\.rawValue)
        case "user", "explain", "reprocess":
            guard !folded.contains(" ") else { return LineCompletion(replacing: 0, candidates: []) }
            names = tenant.usersMatching(argument, limit: 50).map(\.userPrincipalName)
            return LineCompletion(replacing: argument.count, candidates: names)
        case "group": names = tenant.groups.map(\.displayName)
        case "seats": names = tenant.subscribedSkus.map(\.skuPartNumber)
        default: names = []
        }
        return LineCompletion(replacing: argument.count, candidates: names.filter { $0.lowercased().hasPrefix(folded) }.sorted())
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
