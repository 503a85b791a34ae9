import Dispatch
import MembershipRules

/// Who holds a proxy address: almost always one user, so one id and no set per address (a
/// million users hold three million addresses).
enum ProxyOwners: Sendable {
    case one(String)
    case many(Set<String>)

    func adding(_ id: String) -> ProxyOwners {
        switch self {
        case .one(let owner):
            return owner == id ? self : .many([owner, id])
        case .many(var owners):
            owners.insert(id)
            return .many(owners)
        }
    }

    /// nil when no owner is left.
    func removing(_ id: String) -> ProxyOwners? {
        switch self {
        case .one(let owner): return owner == id ? nil : self
        case .many(var owners):
            owners.remove(id)
            if owners.count == 1, let last = owners.first { return .one(last) }
            return owners.isEmpty ? nil : .many(owners)
        }
    }

    func includes(anyoneBut id: String) -> Bool {
        switch self {
        case .one(let owner): owner != id
        case .many(let owners): owners.contains { $0 != id }
        }
    }
}

/// Proxy addresses across the tenant, for UniquenessViolation: a licence that brings Exchange
/// must not give a user an address another user already has (`specs/licensing.md` §3.1).
extension Tenant {
    private static let mailSlot = StringSlot.slot(named: "mail")!

    /// The addresses Exchange would stamp on a user: its proxy addresses and its mail, folded,
    /// without the `smtp:` prefix; each once.
    static func proxyKeys(of user: User) -> [String] {
        var keys: [String] = []
        keys.reserveCapacity(user.proxyAddresses.count + 1)
        for address in user.proxyAddresses {
            let folded = RuleText.fold(address)
            let key = folded.hasPrefix("smtp:") ? String(folded.dropFirst(5)) : folded
            if !keys.contains(key) { keys.append(key) }
        }
        if let mail = user.strings[mailSlot] {
            let key = RuleText.fold(mail)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// `proxyOwners` and `upnIndex` for `users`, from scratch.
    static func addressIndexes(of users: [User]) -> ([String: ProxyOwners], [String: String]) {
        var proxyOwners: [String: ProxyOwners] = [:]
        proxyOwners.reserveCapacity(users.count * 3)
        var upnIndex: [String: String] = [:]
        upnIndex.reserveCapacity(users.count)
        // The folded keys on all cores (folding allocates), the two indexes filled in order.
        for chunk in addressKeys(of: users) {
            for (key, index) in chunk.proxies {
                // One hash for an address held once (nearly all); a second only when shared.
                if let earlier = proxyOwners.updateValue(.one(users[index].id), forKey: key) {
                    proxyOwners[key] = earlier.adding(users[index].id)
                }
            }
            for (upn, index) in chunk.upns { upnIndex[upn] = users[index].id }
        }
        return (proxyOwners, upnIndex)
    }

    /// Every user's proxy keys and folded UPN, worked out on all cores, in user order.
    static func addressKeys(of users: [User]) -> [(proxies: [(String, Int)], upns: [(String, Int)])] {
        let chunkSize = 16_384
        let chunks = (users.count + chunkSize - 1) / chunkSize
        let slots = ChunkSlots<([(String, Int)], [(String, Int)])>(chunks: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var proxies: [(String, Int)] = []
            var upns: [(String, Int)] = []
            for index in chunk * chunkSize..<min(users.count, (chunk + 1) * chunkSize) {
                for key in proxyKeys(of: users[index]) { proxies.append((key, index)) }
                upns.append((users[index].userPrincipalName.lowercased(), index))
            }
            slots.store((proxies, upns), at: chunk)
        }
        return slots.slots.map { ($0?.0 ?? [], $0?.1 ?? []) }
    }

    mutating func indexProxies(of user: User, adding: Bool) {
        for key in Self.proxyKeys(of: user) {
            if adding {
                proxyOwners[key] = proxyOwners[key]?.adding(user.id) ?? .one(user.id)
            } else {
                proxyOwners[key] = proxyOwners[key]?.removing(user.id)
            }
        }
    }

    /// Whether another user holds one of the addresses this user would be stamped with.
    func sharesProxyAddress(_ user: User) -> Bool {
        Self.proxyKeys(of: user).contains { key in proxyOwners[key]?.includes(anyoneBut: user.id) ?? false }
    }

    /// Whether gaining `plans` would give the user an address someone else holds: only a plan
    /// of the Exchange service stamps addresses, and only when the user has none yet.
    func duplicatesProxyAddress(of user: User, gaining plans: Set<String>) -> Bool {
        let catalog = SKUCatalog.shared
        guard plans.contains(where: { catalog.isExchange(plan: $0) }) else { return false }
        if Self.holdsExchange(user) { return false }
        return sharesProxyAddress(user)
    }

    /// Whether the user's plan rows hold an enabled Exchange plan: its addresses are stamped.
    static func holdsExchange(_ user: User) -> Bool {
        user.assignedPlans.contains { $0.service == "exchange" && $0.capabilityStatus == "Enabled" }
    }
}
