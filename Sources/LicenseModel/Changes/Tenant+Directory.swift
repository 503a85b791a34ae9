import Foundation
import MembershipRules

/// Users, groups and subscriptions: the directory side of `apply`.
extension Tenant {
    mutating func addSku(_ skuId: String, seats: Int, edition: String?) throws(ModelError) {
        try DirectoryLimits.checkSeats(seats)
        guard let catalogSKU = SKUCatalog.shared.sku(id: skuId) else {
            throw .invalidInput("\(skuId) is not a SKU in Microsoft's catalog")
        }
        guard sku(id: catalogSKU.skuId) == nil else {
            throw .invalidInput("the tenant already has \(catalogSKU.skuPartNumber)")
        }
        var planIds = catalogSKU.planIds
        if let edition {
            guard let dated = SKUCatalog.shared.edition(of: catalogSKU.skuPartNumber, edition) else {
                throw .invalidInput("the catalog has no \(edition) edition of \(catalogSKU.skuPartNumber)")
            }
            planIds = dated
        }
        let plans = planIds.map { ServicePlanInfo(servicePlanId: $0, servicePlanName: SKUCatalog.shared.name(ofPlan: $0)) }
        subscribedSkus.append(
            SubscribedSku(skuId: catalogSKU.skuId, skuPartNumber: catalogSKU.skuPartNumber, seats: seats, servicePlans: plans))
    }

    mutating func createUser(_ draft: UserDraft) throws(ModelError) {
        try DirectoryLimits.checkSafeID(draft.id, of: "user")
        try DirectoryLimits.checkUPN(draft.userPrincipalName)
        try DirectoryLimits.checkDisplayName(draft.displayName, of: "user")
        guard userIndex[draft.id] == nil else { throw .invalidInput("a user with id \(draft.id) already exists") }
        guard upnIndex[draft.userPrincipalName.lowercased()] == nil else {
            throw .invalidInput("a user with UPN \(draft.userPrincipalName) already exists")
        }
        var user = User(id: draft.id, userPrincipalName: draft.userPrincipalName, displayName: draft.displayName)
        user.accountEnabled = draft.accountEnabled
        user.onPremisesSyncEnabled = draft.onPremisesSyncEnabled
        for (name, value) in draft.attributes.sorted(by: { $0.key < $1.key }) {
            try UserAttributeWriter.set(name, to: value, on: &user)
        }
        userIndex[user.id] = users.count
        users.append(user)
        indexProxies(of: user, adding: true)
        upnIndex[user.userPrincipalName.lowercased()] = user.id
        pending.enqueue(user.id, in: \.membershipUsers)
    }

    mutating func removeUser(_ userID: String) throws(ModelError) {
        let index = try userIndex(userID)
        for groupID in memberships[userID] ?? [] {
            let groupIndex = try groupIndex(groupID)
            groups[groupIndex].members.removeMember(users[index].id)
        }
        let user = users.remove(at: index)
        for skuId in LicenseEngine.seatsHeld(by: user) {
            if let skuIndex = subscribedSkus.firstIndex(where: { $0.skuId == skuId }) {
                subscribedSkus[skuIndex].consumedUnits -= 1
            }
        }
        for list in [\PendingWork.membershipUsers, \PendingWork.licenseUsers] as [WritableKeyPath<PendingWork, [String]>] {
            pending.remove(userID, from: list)
        }
        rebuildIndexes()
    }

    mutating func createGroup(id: String, displayName: String, description: String?, rule: String?, uniqueName: String? = nil, now: Date)
        throws(ModelError)
    {
        try DirectoryLimits.checkSafeID(id, of: "group")
        guard groupIndex[id] == nil else { throw .invalidInput("a group with id \(id) already exists") }
        try DirectoryLimits.checkDisplayName(displayName, of: "group")
        var group = Group(id: id, displayName: displayName)
        group.description = description
        if let uniqueName {
            try DirectoryLimits.checkUniqueName(uniqueName)
            // Graph's alternate key: one group per name, whatever its case.
            guard !groups.contains(where: { $0.uniqueName?.lowercased() == uniqueName.lowercased() }) else {
                throw .refused("Another object with the same value for property uniqueName already exists.")
            }
            group.extra["uniqueName"] = .string(uniqueName)
        }
        if let rule {
            compiledRules[id] = try Self.check(rule)
            group.groupTypes = ["DynamicMembership"]
            group.membershipRule = rule
            group.membershipRuleProcessingState = "On"
            group.membershipProcessingStatus = .notStarted
            pending.enqueue(id, in: \.membershipGroups)
        }
        groupIndex[id] = groups.count
        groups.append(group)
    }

    /// Returns the old rule. A static group turned dynamic loses its members first
    /// (`specs/licensing.md` §4, rule change semantics).
    mutating func setGroupRule(_ groupID: String, _ rule: String) throws(ModelError) -> String? {
        let index = try groupIndex(groupID)
        let compiled = try Self.check(rule)
        let old = groups[index].membershipRule
        compiledRules[groupID] = compiled
        if !groups[index].isDynamic {
            for member in groups[index].members {
                memberships[member]?.remove(groupID)
                pending.enqueue(member, in: \.licenseUsers)
            }
            groups[index].members = []
            groups[index].groupTypes.append("DynamicMembership")
            groups[index].membershipRuleProcessingState = "On"
        }
        groups[index].membershipRule = rule
        groups[index].membershipProcessingStatus = .notStarted
        pending.enqueue(groupID, in: \.membershipGroups)
        return old
    }

    mutating func changeStaticMembership(_ groupID: String, _ userID: String, add: Bool) throws(ModelError) {
        let index = try groupIndex(groupID)
        // The user's own id string: member lists share its storage (see `position(ofMember:)`).
        let userID = users[try userIndex(userID)].id
        guard !groups[index].isDynamic else {
            throw .refused("\(groups[index].displayName) is a dynamic group: its rule decides its members")
        }
        if add {
            guard !groups[index].members.contains(userID) else { return }
            groups[index].members.append(userID)
            memberships[userID, default: []].insert(groupID)
        } else {
            guard groups[index].members.contains(userID) else {
                throw .invalidInput("\(userID) is not a member of \(groups[index].displayName)")
            }
            groups[index].members.removeMember(userID)
            memberships[userID]?.remove(groupID)
        }
        pending.enqueue(userID, in: \.licenseUsers)
    }

    /// R12: a group carrying licences can't be deleted.
    mutating func deleteGroup(_ groupID: String) throws(ModelError) -> String {
        let index = try groupIndex(groupID)
        let group = groups[index]
        guard group.assignedLicenses.isEmpty else {
            throw .refused("\(group.displayName) still assigns licences; remove them from the group before deleting it")
        }
        // Members may still hold licences through it: a removal queued a moment ago and not yet
        // processed. The group's own queue entry goes with it, so each such user is queued on
        // their own: processing then takes back what the group gave (the seats too), as Entra
        // does after a licensing group goes.
        let holders = users.filter { user in user.licenseAssignmentStates.contains { $0.assignedByGroup == groupID } }.map(\.id)
        groups.remove(at: index)
        for list in [\PendingWork.membershipGroups, \PendingWork.licenseGroups] as [WritableKeyPath<PendingWork, [String]>] {
            pending.remove(groupID, from: list)
        }
        for id in holders { pending.enqueue(id, in: \.licenseUsers) }
        rebuildIndexes()
        return group.displayName
    }

    @discardableResult
    static func check(_ rule: String) throws(ModelError) -> MembershipRule {
        do { return try MembershipRule(rule) } catch {
            throw .invalidInput("invalid membership rule: \(error.first.description)")
        }
    }
}
