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
