import MembershipRules

/// The longest line each typed line takes: enough for any real use, short enough that a paste
/// of a megabyte can't make every keystroke (and every other admin's patience) pay for it.
enum LineLimits {
    /// A `/` filter (a `=` rule filter is a rule: its limit would do, but 1,000 is plenty).
    static let filter = 1_000
    /// The `:` line: a verb and a UPN, SKU or rule-sized argument.
    static let command = 4_200
    /// The rule editor: what Entra takes.
    static let rule = RuleLimits.maximumLength
}
