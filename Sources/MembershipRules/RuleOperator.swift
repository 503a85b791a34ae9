/// A comparison operator; the raw value is its canonical spelling.
public enum RuleOperator: String, CaseIterable, Sendable {
    case eq = "-eq"
    case ne = "-ne"
    case startsWith = "-startsWith"
    case notStartsWith = "-notStartsWith"
    case endsWith = "-endsWith"
    case notEndsWith = "-notEndsWith"
    case contains = "-contains"
    case notContains = "-notContains"
    case match = "-match"
    case notMatch = "-notMatch"
    case `in` = "-in"
    case notIn = "-notIn"
    case le = "-le"
    case ge = "-ge"

    /// Finds an operator by its word, with or without the hyphen, ignoring case.
    public static func named(_ word: String) -> RuleOperator? {
        byFoldedWord[word.lowercased()]
    }
    private static let byFoldedWord: [String: RuleOperator] = Dictionary(
        uniqueKeysWithValues: allCases.map { (String($0.rawValue.dropFirst()).lowercased(), $0) })

    /// The negative operators are the negation of a positive one (`specs/rules.md` §7).
    public var positive: RuleOperator {
        switch self {
        case .ne: .eq
        case .notStartsWith: .startsWith
        case .notEndsWith: .endsWith
        case .notContains: .contains
        case .notMatch: .match
        case .notIn: .in
        default: self
        }
    }
    public var isNegative: Bool { positive != self }

    /// Operators each kind of property accepts (`specs/rules.md` §2, per-type operators).
    /// The operators a property of this kind takes.
    public static func supported(on kind: RulePropertyKind) -> [RuleOperator] {
        switch kind {
        case .string, .stringCollection:
            [
                .eq, .ne, .startsWith, .notStartsWith, .endsWith, .notEndsWith, .contains, .notContains,
                .match, .notMatch, .in, .notIn,
            ]
        case .boolean: [.eq, .ne]
        case .dateTime: [.eq, .ne, .le, .ge]
        case .assignedPlans, .memberOf: []
        }
    }
}

/// `-any` or `-all` over a collection property.
public enum RuleQuantifier: String, Sendable {
    case any = "-any"
    case all = "-all"
}

/// Keywords the parser recognises besides operators, by their folded, hyphenless word.
enum RuleKeyword: String {
    case and, or, not, any, all
}
