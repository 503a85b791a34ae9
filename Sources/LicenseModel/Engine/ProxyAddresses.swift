import MembershipRules

/// Proxy addresses across the tenant, for UniquenessViolation: a licence that brings Exchange
/// must not give a user an address another user already has (`specs/licensing.md` §3.1).
extension Tenant {
    /// The addresses Exchange would stamp on a user: its proxy addresses and its mail, folded,
    /// without the `smtp:` prefix.
    static func proxyKeys(of user: User) -> Set<String> {
        var keys = Set(user.proxyAddresses.map { address -> String in
            let folded = RuleText.fold(address)
            return folded.hasPrefix("smtp:") ? String(folded.dropFirst(5)) : folded
        })
        if let mail = user.strings[StringSlot.slot(named: "mail")!] { keys.insert(RuleText.fold(mail)) }
        return keys
    }

    mutating func indexProxies(of user: User, adding: Bool) {
        for key in Self.proxyKeys(of: user) {
            if adding {
                proxyOwners[key, default: []].insert(user.id)
            } else {
                proxyOwners[key]?.remove(user.id)
                if proxyOwners[key]?.isEmpty == true { proxyOwners[key] = nil }
            }
        }
    }

    /// Whether gaining `plans` would give the user an address someone else holds: only a plan
    /// of the Exchange service stamps addresses, and only when the user has none yet.
    func duplicatesProxyAddress(of user: User, gaining plans: Set<String>) -> Bool {
        let catalog = SKUCatalog.shared
        guard plans.contains(where: { catalog.isExchange(plan: $0) }) else { return false }
        let hasExchange = user.assignedPlans.contains { $0.service == "exchange" && $0.capabilityStatus == "Enabled" }
        if hasExchange { return false }
        return Self.proxyKeys(of: user).contains { key in proxyOwners[key]?.contains { $0 != user.id } ?? false }
    }
}
