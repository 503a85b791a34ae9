import Foundation

/// Directory objects read from a real tenant (Graph JSON, a CSV of users): the payload of
/// `TenantChange.importDirectory`. Objects are merged by id: one the tenant already holds is
/// replaced by the imported one, others are added; nothing is deleted. Imported objects keep
/// their state as Entra reported it (memberships, licence paths and errors); nothing is queued,
/// so the rehearsal starts from the tenant as it is.
public struct DirectoryImport: Codable, Hashable, Sendable {
    public var organization: Organization?
    public var subscribedSkus: [SubscribedSku]
    public var users: [User]
    public var groups: [Group]

    public init(organization: Organization? = nil, subscribedSkus: [SubscribedSku] = [], users: [User] = [], groups: [Group] = []) {
        self.organization = organization
        self.subscribedSkus = subscribedSkus
        self.users = users
        self.groups = groups
    }

    public var isEmpty: Bool { organization == nil && subscribedSkus.isEmpty && users.isEmpty && groups.isEmpty }

    /// "44 users, 2 groups, 3 SKUs and the organisation"
    public var summary: String {
        var parts = ["\(users.count) users", "\(groups.count) groups", "\(subscribedSkus.count) SKUs"]
        if organization != nil { parts.append("the organisation") }
        return parts.joined(separator: ", ")
    }
}

extension Tenant {
    /// Checks the import against itself and the tenant, then merges it. Throws before changing
    /// anything when a reference would dangle or a UPN would be held twice.
    mutating func importDirectory(_ batch: DirectoryImport, now: Date) throws(ModelError) -> String {
        // Whatever reader built the batch, nothing Entra would refuse is stored.
        if let organization = batch.organization { try DirectoryLimits.check(imported: organization) }
        for sku in batch.subscribedSkus { try DirectoryLimits.check(imported: sku) }
        for user in batch.users { try DirectoryLimits.check(imported: user) }
        for group in batch.groups { try DirectoryLimits.check(imported: group) }
        let userIDs = Set(users.map(\.id)).union(batch.users.map(\.id))
        let groupIDs = Set(groups.map(\.id)).union(batch.groups.map(\.id))
        let skuIDs = Set(subscribedSkus.map(\.skuId)).union(batch.subscribedSkus.map(\.skuId))
        var upns: [String: String] = [:]
        // A set, not a scan of the batch per user: a pull of 100,000 users spent minutes here.
        let batchUserIDs = Set(batch.users.map(\.id))
        for user in users where !batchUserIDs.contains(user.id) {
            upns[user.userPrincipalName.lowercased()] = user.id
        }
        for user in batch.users {
            if let holder = upns[user.userPrincipalName.lowercased()], holder != user.id {
                throw .invalidInput("user \(user.userPrincipalName) (\(user.id)): another user (\(holder)) already has that UPN")
            }
            upns[user.userPrincipalName.lowercased()] = user.id
            for license in user.assignedLicenses where !skuIDs.contains(license.skuId) {
                throw .invalidInput("user \(user.userPrincipalName): licence of SKU \(license.skuId), which the tenant does not subscribe to")
            }
            for path in user.licenseAssignmentStates {
                if let group = path.assignedByGroup, !groupIDs.contains(group) {
                    throw .invalidInput("user \(user.userPrincipalName): licence path from group \(group), which is not in the tenant")
                }
            }
        }
        for group in batch.groups {
            for member in group.members where !userIDs.contains(member) {
                throw .invalidInput("group \(group.displayName): member \(member) is not a user of the tenant")
            }
            for license in group.assignedLicenses where !skuIDs.contains(license.skuId) {
                throw .invalidInput("group \(group.displayName): licence of SKU \(license.skuId), which the tenant does not subscribe to")
            }
        }
        if let organization = batch.organization { self.organization = organization }
        func merge<T: Identifiable>(_ incoming: [T], into list: inout [T]) where T.ID == String {
            var position = Dictionary(list.enumerated().map { ($0.element.id, $0.offset) }) { first, _ in first }
            for item in incoming {
                if let index = position[item.id] {
                    list[index] = item
                } else {
                    position[item.id] = list.count
                    list.append(item)
                }
            }
        }
        var skus = subscribedSkus
        for sku in batch.subscribedSkus {
            if let index = skus.firstIndex(where: { $0.skuId == sku.skuId }) { skus[index] = sku } else { skus.append(sku) }
        }
        subscribedSkus = skus
        // A SKU the import does not carry keeps its count of seats in use right when the
        // imported users' seats of it change (a partial record of licences alone).
        let importedSkus = Set(batch.subscribedSkus.map(\.skuId))
        var recount = Set<String>()
        for user in batch.users {
            let old = userIndex[user.id].map { users[$0] }
            for sku in subscribedSkus where !importedSkus.contains(sku.skuId) {
                if (old?.consumesSeat(of: sku.skuId) ?? false) != user.consumesSeat(of: sku.skuId) { recount.insert(sku.skuId) }
            }
        }
        // Licence policies are LicenseDesk's, not the tenant's: what they give a user stays
        // when the tenant's copy of the user replaces ours (the tenant knows nothing of them).
        let policyIDs = Set(groups.filter(\.isPolicy).map(\.id))
        var incoming = batch.users
        if !policyIDs.isEmpty {
            for index in incoming.indices {
                guard let old = userIndex[incoming[index].id].map({ users[$0] }) else { continue }
                let kept = old.licenseAssignmentStates.filter { $0.assignedByGroup.map(policyIDs.contains) ?? false }
                guard !kept.isEmpty else { continue }
                incoming[index].licenseAssignmentStates += kept
                LicenseDerivation.refresh(&incoming[index], skus: subscribedSkus, now: now)
            }
        }
        merge(incoming, into: &users)
        merge(batch.groups, into: &groups)
        rebuildIndexes()
        for index in subscribedSkus.indices where recount.contains(subscribedSkus[index].skuId) {
            let skuID = subscribedSkus[index].skuId
            subscribedSkus[index].consumedUnits = users.filter { $0.consumesSeat(of: skuID) }.count
        }
        return batch.summary
    }
}
