import MembershipRules

extension Tenant {
    /// The users a rule matches, by their index in `users`, evaluated as the membership engine
    /// evaluates a group's rule (bounded: a rule that runs out of time matches no more users,
    /// and `rule.matchBudget.exceeded` says why). The rule editor's match count and the
    /// console's `/=rule` filter both come from here.
    public func userIndices(matching rule: MembershipRule, context: RuleContext = RuleContext()) -> [Int] {
        users.indices.filter { rule.matches(ruleView(of: users[$0]), context: context) }
    }

    /// Users whose display name or UPN contains `text` (case-insensitive), best first: an exact
    /// UPN or id, then UPNs and names that begin with it, then the rest, in tenant order.
    /// `:user meg` and `:explain meg` find Megan Bowen by it.
    public func usersMatching(_ text: String, limit: Int = 200) -> [User] {
        let folded = text.lowercased()
        guard !folded.isEmpty else { return [] }
        if let exact = try? findUser(text) { return [exact] }
        var starts: [User] = []
        var contains: [User] = []
        for user in users {
            let upn = user.userPrincipalName.lowercased()
            let name = user.displayName.lowercased()
            if upn.hasPrefix(folded) || name.hasPrefix(folded) || name.split(separator: " ").contains(where: { $0.hasPrefix(folded) }) {
                starts.append(user)
            } else if contains.count < limit, name.contains(folded) || (folded.contains("@") ? upn.contains(folded) : upn.prefix { $0 != "@" }.contains(folded))
            {
                contains.append(user)
            }
            if starts.count >= limit { break }
        }
        return Array((starts + contains).prefix(limit))
    }
}
