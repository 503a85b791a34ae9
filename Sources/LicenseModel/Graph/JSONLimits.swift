import Foundation
import MembershipRules

/// The JSON nesting bound (`JSONNesting`), for the modules above the model that read JSON
/// (the store, the interchange readers) without importing the rule language.
public enum JSONLimits {
    public static var maximumDepth: Int { JSONNesting.maximumDepth }

    /// "line L, column C: JSON nested more than N levels deep", or nil.
    public static func problem(in data: Data) -> String? { JSONNesting.problem(in: data) }

    /// A decoder that refuses too-deep JSON before decoding it.
    public static func decoder() -> JSONDecoder { NestingCheckedJSONDecoder() }
}

/// The strict ISO 8601 reader (`ISO8601Text`), for the modules above the model.
public enum ISO8601Times {
    public static func parse(_ text: String, dateOnly: Bool = false) -> Date? { ISO8601Text.parse(text, dateOnly: dateOnly) }
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int { ISO8601Text.daysFromCivil(year: year, month: month, day: day) }
}
