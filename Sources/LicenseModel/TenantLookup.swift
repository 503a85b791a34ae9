import Foundation

/// Finds objects by the names admins type: SKUs by skuPartNumber, skuId or product name; plans
/// by servicePlanName, servicePlanId or friendly name; groups by displayName or id; users by
/// UPN or id. All ignore case. A miss says what exists.
extension Tenant {
    public func findSku(_ query: String) throws(ModelError) -> SubscribedSku {
        let folded = query.trimmingCharacters(in: .whitespaces).lowercased()
        if let sku = subscribedSkus.first(where: { $0.skuId.lowercased() == folded || $0.skuPartNumber.lowercased() == folded }) {
            return sku
        }
        for catalogSKU in SKUCatalog.shared.skus(matching: query) {
            if let sku = sku(id: catalogSKU.skuId) { return sku }
        }
        let known = subscribedSkus.map(\.skuPartNumber).joined(separator: ", ")
        if !SKUCatalog.shared.skus(matching: query).isEmpty {
            throw .invalidInput("the tenant has no subscription to \(query) (it has: \(known.isEmpty ? "none" : known)); add it with `licensedesk skus add`")
        }
        throw .invalidInput("\(query) is not a SKU (the tenant has: \(known.isEmpty ? "none" : known))")
    }

    public func findPlan(_ query: String, in sku: SubscribedSku) throws(ModelError) -> String {
        let folded = query.trimmingCharacters(in: .whitespaces).lowercased()
        if let plan = sku.servicePlans.first(where: { $0.servicePlanId.lowercased() == folded || $0.servicePlanName.lowercased() == folded }) {
            return plan.servicePlanId
        }
        let catalog = SKUCatalog.shared
        let byFriendly = sku.planIds.filter { id in
            guard let plan = catalog.plan(id: id) else { return false }
            return plan.friendlyName.lowercased() == folded || plan.aliases.contains { $0.lowercased() == folded }
        }
        if byFriendly.count == 1 { return byFriendly[0] }
        let names = sku.servicePlans.map(\.servicePlanName).sorted().joined(separator: ", ")
        throw .invalidInput("\(query) is not a service plan of \(sku.skuPartNumber) (its plans: \(names))")
    }

    public func findGroup(_ query: String) throws(ModelError) -> Group {
        if let group = group(id: query) { return group }
        let folded = query.lowercased()
        let matches = groups.filter { $0.displayName.lowercased() == folded || $0.id.lowercased() == folded }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw .invalidInput("\(matches.count) groups are called \(query); name one by id") }
        throw .invalidInput("no group is called \(query)")
    }

    public func findUser(_ query: String) throws(ModelError) -> User {
        if let user = user(id: query) ?? user(upn: query) { return user }
        // An id typed in another case: rare, so a scan.
        let folded = query.lowercased()
        if let user = users.first(where: { $0.userPrincipalName.lowercased() == folded || $0.id.lowercased() == folded }) {
            return user
        }
        throw .invalidInput("no user has the UPN or id \(query)")
    }
}

extension Tenant {
    /// Ids held by more than one user or group: the indexes keep the first, so an edit would
    /// land on the wrong object. A file that holds them is damaged. Cheap when there are none
    /// (the index counts tell).
    public var duplicateIDs: (users: [String], groups: [String]) {
        func duplicates(_ ids: [String]) -> [String] {
            var seen = Set<String>()
            return ids.filter { !seen.insert($0).inserted }
        }
        let users = userIndex.count == self.users.count ? [] : duplicates(self.users.map(\.id))
        let groups = groupIndex.count == self.groups.count ? [] : duplicates(self.groups.map(\.id))
        return (users, groups)
    }
}

extension Tenant {
    /// Where a user sits in `users`.
    public func userIndex(of id: String) -> Int? { userIndex[id] }

    /// Where a group sits in `groups`.
    public func groupIndex(of id: String) -> Int? { groupIndex[id] }

    /// The members of a group that are users, by index in `users`, in member order.
    public func memberUserIndices(of groupID: String) -> [Int] {
        group(id: groupID)?.members.compactMap { userIndex[$0] } ?? []
    }

    /// The licence error a group's licence gives a user, if any: the first of the user's
    /// assignment paths from that group that failed.
    public func licenseError(of user: User, from groupID: String) -> LicenseAssignmentState? {
        user.licenseAssignmentStates.first { $0.assignedByGroup == groupID && $0.error != .none }
    }

    /// Graph's `hasMembersWithLicenseErrors`: a member holds an error from this group's licences.
    public func hasMembersWithLicenseErrors(_ groupID: String) -> Bool {
        memberUserIndices(of: groupID).contains { licenseError(of: users[$0], from: groupID) != nil }
    }

    /// The domains a new user's UPN may use: the organization's `verifiedDomains` where the
    /// state has them (a pulled or imported tenant), else the domains its users already use.
    public var verifiedDomains: Set<String> {
        if case .array(let domains)? = organization.extra["verifiedDomains"] {
            let names = domains.compactMap { domain -> String? in
                guard case .object(let fields) = domain, case .string(let name)? = fields["name"] else { return nil }
                return name.lowercased()
            }
            if !names.isEmpty { return Set(names) }
        }
        return Set(users.compactMap { $0.userPrincipalName.split(separator: "@").last.map { $0.lowercased() } })
    }
}
