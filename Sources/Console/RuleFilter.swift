import MembershipRules

/// `/=user.department -eq "Sales"`: a list filter that is a membership rule, compiled by the
/// rule language and evaluated by the model, exactly as a dynamic group's rule would be.
enum RuleFilter {
    static func compile(_ filter: String) -> MembershipRule? {
        guard filter.hasPrefix("=") else { return nil }
        return try? MembershipRule(String(filter.dropFirst()))
    }

    /// What is wrong with the rule, with its column, or nil when it compiles.
    static func problem(_ filter: String) -> String? {
        do {
            _ = try MembershipRule(String(filter.dropFirst()))
            return nil
        } catch {
            return error.problems.first.map { "column \($0.column): \($0.text)" } ?? "\(error)"
        }
    }
}
