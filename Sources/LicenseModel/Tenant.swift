import Foundation
import MembershipRules

/// Work the directory still has to do, as Entra ID queues it: membership evaluation for groups
/// and users, then licence processing. Each queue keeps its order (the order work arrived) and
/// a set beside it, so queueing a million users costs a million steps, not a million squared.
public struct PendingWork: Codable, Hashable, Sendable {
    /// Dynamic groups whose whole membership must be evaluated (new group, rule change).
    public internal(set) var membershipGroups: [String] = []
    /// Users whose attributes changed: evaluate them against every dynamic group.
    public internal(set) var membershipUsers: [String] = []
    /// Groups whose licences must be processed for every member (licence change, reprocess).
    public internal(set) var licenseGroups: [String] = []
    /// Users whose group memberships changed: reconcile their group paths.
    public internal(set) var licenseUsers: [String] = []
    private var queued: [Set<String>] = [[], [], [], []]

    public init() {}

    enum CodingKeys: String, CodingKey { case membershipGroups, membershipUsers, licenseGroups, licenseUsers }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        membershipGroups = try c.decodeIfPresent([String].self, forKey: .membershipGroups) ?? []
        membershipUsers = try c.decodeIfPresent([String].self, forKey: .membershipUsers) ?? []
        licenseGroups = try c.decodeIfPresent([String].self, forKey: .licenseGroups) ?? []
        licenseUsers = try c.decodeIfPresent([String].self, forKey: .licenseUsers) ?? []
        queued = [Set(membershipGroups), Set(membershipUsers), Set(licenseGroups), Set(licenseUsers)]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(membershipGroups, forKey: .membershipGroups)
        try c.encode(membershipUsers, forKey: .membershipUsers)
        try c.encode(licenseGroups, forKey: .licenseGroups)
        try c.encode(licenseUsers, forKey: .licenseUsers)
    }

    public static func == (lhs: PendingWork, rhs: PendingWork) -> Bool {
        lhs.membershipGroups == rhs.membershipGroups && lhs.membershipUsers == rhs.membershipUsers
            && lhs.licenseGroups == rhs.licenseGroups && lhs.licenseUsers == rhs.licenseUsers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(membershipGroups)
        hasher.combine(membershipUsers)
        hasher.combine(licenseGroups)
        hasher.combine(licenseUsers)
    }

    public var isEmpty: Bool {
        membershipGroups.isEmpty && membershipUsers.isEmpty && licenseGroups.isEmpty && licenseUsers.isEmpty
    }
    public var count: Int { membershipGroups.count + membershipUsers.count + licenseGroups.count + licenseUsers.count }

    private static func slot(_ list: WritableKeyPath<PendingWork, [String]>) -> Int {
        switch list {
        case \PendingWork.membershipGroups: 0
        case \PendingWork.membershipUsers: 1
        case \PendingWork.licenseGroups: 2
        default: 3
        }
    }

    /// Queues an id once.
    mutating func enqueue(_ id: String, in list: WritableKeyPath<PendingWork, [String]>) {
        let index = Self.slot(list)
        guard queued[index].insert(id).inserted else { return }
        self[keyPath: list].append(id)
    }

    /// Takes everything queued in one list, leaving it empty.
    mutating func drain(_ list: WritableKeyPath<PendingWork, [String]>) -> [String] {
        queued[Self.slot(list)] = []
        let items = self[keyPath: list]
        self[keyPath: list] = []
        return items
    }

    /// Drops an id from a list (a deleted user or group).
    mutating func remove(_ id: String, from list: WritableKeyPath<PendingWork, [String]>) {
        guard queued[Self.slot(list)].remove(id) != nil else { return }
        self[keyPath: list].removeAll { $0 == id }
    }
}

/// Unknown top-level fields of each list file.
public struct FileExtras: Hashable, Sendable {
    public var organization: [String: JSONValue] = [:]
    public var subscribedSkus: [String: JSONValue] = [:]
    public var users: [String: JSONValue] = [:]
    public var groups: [String: JSONValue] = [:]
    public init(
        organization: [String: JSONValue] = [:], subscribedSkus: [String: JSONValue] = [:],
        users: [String: JSONValue] = [:], groups: [String: JSONValue] = [:]
    ) {
        self.organization = organization
        self.subscribedSkus = subscribedSkus
        self.users = users
        self.groups = groups
    }
}

/// Settings of the simulated tenant that Microsoft documents as changing over time.
public struct TenantSettings: Codable, Hashable, Sendable {
    public var exclusionPolicy: ExclusionPolicy = .current
    public init() {}
}

/// One whole directory: organisation, SKUs, users, groups and pending work.
///
/// Only `apply(_:)` changes a tenant (DESIGN.md, "every change is a value"); the stored
/// collections are readable by everyone and writable inside the model only.
public struct Tenant: Sendable {
    public internal(set) var organization: Organization
    public internal(set) var subscribedSkus: [SubscribedSku] = []
    public internal(set) var users: [User] = []
    public internal(set) var groups: [Group] = []
    public internal(set) var pending = PendingWork()
    public internal(set) var settings = TenantSettings()
    public internal(set) var onPremises = OnPremisesDirectory()
    /// Licence automation's scope and bookkeeping (`licensedesk reconcile`).
    public internal(set) var automation = LicenceAutomation()
    /// Top-level fields of the state files that LicenseDesk does not model (`@odata.context`…),
    /// kept so a load and a save lose nothing.
    public var fileExtras = FileExtras()

    var userIndex: [String: Int] = [:]
    var groupIndex: [String: Int] = [:]
    /// user id → ids of the groups it is a direct member of.
    var memberships: [String: Set<String>] = [:]
    /// group id → its compiled membership rule. Any change drops the rule index built from it.
    var compiledRules: [String: MembershipRule] = [:] { didSet { userEvaluation = nil } }
    /// The rules indexed for single-user evaluation, built on first use (`UserEvaluation`).
    var userEvaluation: UserEvaluation?
    /// folded userPrincipalName → user id.
    var upnIndex: [String: String] = [:]
    /// folded proxy address or mail → ids of the users holding it.
    var proxyOwners: [String: ProxyOwners] = [:]

    public init(organization: Organization) {
        self.organization = organization
    }

    /// Builds a tenant from stored parts, rebuilding the indexes. `memberUsers`, when the
    /// caller already knows it (the snapshot cache does), is each group's members as indices
    /// into `users`, -1 for a member that is not a user: exactly `userIndex[member] ?? -1`.
    /// It spares looking up every member's id (16 million at scale); a list that does not fit
    /// the groups is ignored.
    public init(
        organization: Organization, subscribedSkus: [SubscribedSku], users: [User], groups: [Group],
        pending: PendingWork = PendingWork(), settings: TenantSettings = TenantSettings(),
        onPremises: OnPremisesDirectory = OnPremisesDirectory(), automation: LicenceAutomation = LicenceAutomation(),
        memberUsers: [[Int]]? = nil
    ) {
        self.onPremises = onPremises
        self.automation = automation
        self.organization = organization
        self.subscribedSkus = subscribedSkus
        self.users = users
        self.groups = groups
        self.pending = pending
        self.settings = settings
        rebuildIndexes(memberUsers: memberUsers)
    }

    mutating func rebuildIndexes(memberUsers: [[Int]]? = nil) {
        // The address indexes need only the users: built on another core meanwhile (at a
        // million users each half takes a second or two, mostly one core's hashing).
        let addresses = BackgroundWork { [users] in Self.addressIndexes(of: users) }
        // Built in place with room reserved: a million users, no copies of them, no regrowth.
        userIndex = [:]
        userIndex.reserveCapacity(users.count)
        for index in users.indices where userIndex[users[index].id] == nil { userIndex[users[index].id] = index }
        groupIndex = Dictionary(groups.enumerated().map { ($0.element.id, $0.offset) }) { first, _ in first }
        compiledRules = [:]
        for group in groups {
            if let text = group.membershipRule, let rule = try? MembershipRule(text) { compiledRules[group.id] = rule }
        }
        MembershipIndexUpdate.rebuild(&self, memberUsers: memberUsers)
        (proxyOwners, upnIndex) = addresses.value
    }

    // MARK: - Reading

    public func user(id: String) -> User? { userIndex[id].map { users[$0] } }
    /// A user by userPrincipalName, ignoring case (UPNs are unique regardless of case).
    public func user(upn: String) -> User? { upnIndex[upn.lowercased()].flatMap { user(id: $0) } }
    public func group(id: String) -> Group? { groupIndex[id].map { groups[$0] } }
    public func sku(id: String) -> SubscribedSku? { subscribedSkus.first { $0.skuId == id } }

    /// The groups a user is a direct member of, in the tenant's group order.
    public func groups(of userID: String) -> [Group] {
        guard let ids = memberships[userID] else { return [] }
        // By index, not a walk over every group: this runs for each user the engine visits.
        return ids.compactMap { groupIndex[$0] }.sorted().map { groups[$0] }
    }

    public func ruleView(of user: User) -> RuleView {
        RuleView(user, memberOf: memberships[user.id] ?? [])
    }

    /// The compiled rule of a dynamic group (compiled once, when the rule is set or loaded).
    public func compiledRule(of groupID: String) -> MembershipRule? { compiledRules[groupID] }

    /// Users with at least one licence error.
    public var usersWithLicenseErrors: [User] { users.filter(\.hasLicenseErrors) }

    /// Whether the user is a direct member of the group (from the membership index).
    public func isMember(_ userID: String, of groupID: String) -> Bool {
        memberships[userID]?.contains(groupID) ?? false
    }

    /// For each group, how many of its members have an error on their path from it: what
    /// `membersWithLicenseErrors(of:)` counts, for every group in one pass over the users.
    public func licenseErrorCountsByGroup() -> [String: Int] {
        var counts: [String: Int] = [:]
        for user in users where user.hasLicenseErrors {
            for group in Set(user.licenseAssignmentStates.filter { $0.error != .none }.compactMap(\.assignedByGroup))
            where isMember(user.id, of: group) {
                counts[group, default: 0] += 1
            }
        }
        return counts
    }

    /// Members of a group whose path from that group carries an error.
    public func membersWithLicenseErrors(of groupID: String) -> [User] {
        guard let group = group(id: groupID) else { return [] }
        return group.members.compactMap { user(id: $0) }.filter { user in
            user.licenseAssignmentStates.contains { $0.assignedByGroup == groupID && $0.error != .none }
        }
    }
}

extension Tenant: Equatable {
    public static func == (lhs: Tenant, rhs: Tenant) -> Bool {
        lhs.organization == rhs.organization && lhs.subscribedSkus == rhs.subscribedSkus && lhs.users == rhs.users
            && lhs.groups == rhs.groups && lhs.pending == rhs.pending && lhs.settings == rhs.settings
            && lhs.onPremises == rhs.onPremises && lhs.automation == rhs.automation
    }
}
