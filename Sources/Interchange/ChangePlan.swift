import Foundation
import LicenseModel
import LicenseStore

/// What to do in the live tenant so that it ends up as LicenseDesk's does, for the changes made
/// since a baseline: the net effect, taken from the journal (which objects changed) and the
/// tenant now (what they look like). Toggling a plan off and on again exports nothing for it
/// beyond one assignLicense with the final disabled plans.
public struct ChangePlan: Sendable {
    public enum Operation: Hashable, Sendable {
        case createGroup(Group)
        case updateGroup(id: String, name: String, membershipRule: String?, processingState: String?)
        case addMember(groupID: String, groupName: String, userID: String, upn: String)
        case removeMember(groupID: String, groupName: String, userID: String, upn: String)
        case groupLicenses(groupID: String, name: String, add: [AssignedLicense], remove: [String])
        case updateUser(id: String, upn: String, values: [String: String?])
        case userLicenses(id: String, upn: String, add: [AssignedLicense], remove: [String])
        case reprocessUser(id: String, upn: String)
        case deleteGroup(id: String, name: String)
    }

    public var operations: [Operation] = []
    /// Changes that have no Graph request (seats are bought, processing is Entra's own work, AD
    /// changes belong on-premises), each with why.
    public var notExported: [String] = []
    /// The journal range covered.
    public var first: Int?
    public var last: Int?
    /// Groups created in the range: later requests address them by this key, not by our id.
    public var newGroupIDs: Set<String> = []
    /// Groups made in LicenseDesk (their uniqueName is `uniqueName(of: id)`): addressed by that
    /// name, since the live tenant gave them an id of its own.
    public var madeHere: Set<String> = []
    /// Where a push found each group in the live tenant (`/groups/{live id}`): it overrides the
    /// addressing above.
    public var livePaths: [String: String] = [:]
    /// For a group's SKU that the range changed only by switching plans on and off: those plans
    /// ("group|sku" → plan ids). A push merges them into the plans the tenant has disabled now,
    /// leaving the others as the tenant has them. A SKU added or replaced whole is not here.
    public var toggledPlans: [String: Set<String>] = [:]
    /// Users created in the range: no request makes them in the tenant, so what is planned for
    /// them can't be sent.
    public var usersMadeHere: Set<String> = []

    /// A plan of given operations (a reconcile run's calls).
    public init(operations: [Operation]) {
        self.operations = operations
    }

    /// The plan for `entries` (oldest first) against `tenant` as it is now.
    public init(entries: [JournalEntry], tenant: Tenant) {
        first = entries.first?.sequence
        last = entries.last?.sequence
        var created = OrderedIDs(), deleted = OrderedIDs(), ruleChanged = OrderedIDs(), reprocessGroups = OrderedIDs()
        var reprocessUsers = OrderedIDs()
        var groupSkus: [String: Set<String>] = [:], groupOrder = OrderedIDs()
        var userSkus: [String: Set<String>] = [:], userOrder = OrderedIDs()
        var userAttributes: [String: Set<String>] = [:], attributeOrder = OrderedIDs()
        var membership: [String: Bool] = [:], membershipOrder: [(group: String, user: String)] = []
        var skipped: [String: Int] = [:]
        var startedWith: [String: Bool] = [:]
        var wholeLicences: Set<String> = []

        // Licence policies are LicenseDesk's own (reconcile applies what they give): nothing
        // done to them is pushed.
        var policies = Set(tenant.policies.map(\.id))
        for entry in entries { if case .createPolicy(let id, _, _, _) = entry.change { policies.insert(id) } }
        let policyChanges = "changes to licence policies (LicenseDesk evaluates them; reconcile applies what they give)"
        for entry in entries {
            if let group = Self.groupChanged(by: entry.change), policies.contains(group) {
                skipped[policyChanges, default: 0] += 1
                continue
            }
            switch entry.change {
            case .createGroup(let id, _, _, _, _): created.insert(id)
            case .deleteGroup(let id):
                if created.contains(id) { created.remove(id) } else { deleted.insert(id) }
            case .setGroupRule(let id, _), .setGroupPaused(let id, _): ruleChanged.insert(id)
            case .addGroupMember(let group, let user), .removeGroupMember(let group, let user):
                let key = group + "/" + user
                if membership[key] == nil { membershipOrder.append((group, user)) }
                if case .addGroupMember = entry.change { membership[key] = true } else { membership[key] = false }
            case .addGroupLicense(let group, let sku, _), .removeGroupLicense(let group, let sku), .setGroupPlan(let group, let sku, _, _):
                if case .setGroupPlan(_, _, let plan, _) = entry.change {
                    toggledPlans[group + "|" + sku, default: []].insert(plan)
                } else {
                    wholeLicences.insert(group + "|" + sku)
                }
                groupSkus[group, default: []].insert(sku)
                groupOrder.insert(group)
                // Whether the live group had the SKU when the range began: not if the range added it.
                if startedWith[group + "|" + sku] == nil {
                    if case .addGroupLicense = entry.change { startedWith[group + "|" + sku] = false } else { startedWith[group + "|" + sku] = true }
                }
            case .replaceGroupLicenses(let group, let add, let remove):
                groupSkus[group, default: []].formUnion(add.map(\.skuId) + remove)
                for sku in add.map(\.skuId) + remove { wholeLicences.insert(group + "|" + sku) }
                groupOrder.insert(group)
                for sku in remove where startedWith[group + "|" + sku] == nil { startedWith[group + "|" + sku] = true }
            case .addUserLicense(let user, let sku, _), .removeUserLicense(let user, let sku):
                userSkus[user, default: []].insert(sku)
                userOrder.insert(user)
            case .setUserAttributes(let user, let values):
                userAttributes[user, default: []].formUnion(values.keys)
                attributeOrder.insert(user)
            case .reprocessUser(let user): reprocessUsers.insert(user)
            case .reprocessGroup(let group): reprocessGroups.insert(group)
            case .processPending: skipped["licence and membership processing runs (Entra does this work itself)", default: 0] += 1
            case .addSku, .setSeats: skipped["seat changes (seats are bought in the admin center, not set through Graph)", default: 0] += 1
            case .createUser(let draft):
                usersMadeHere.insert(draft.id)
                skipped["users created or deleted (create them on-premises and let sync carry them)", default: 0] += 1
            case .removeUser: skipped["users created or deleted (create them on-premises and let sync carry them)", default: 0] += 1
            case .addOnPremisesUser, .setOnPremisesUser, .removeOnPremisesUser, .configureSync, .runSync, .importOnPremises:
                skipped["on-premises and sync changes (make them in AD; Azure AD Connect carries them)", default: 0] += 1
            case .repairConsistency, .importDirectory: skipped["repairs and imports (LicenseDesk's own bookkeeping)", default: 0] += 1
            case .createPolicy: skipped[policyChanges, default: 0] += 1
            case .setManagedScope, .reconcilePlanned, .reconcileFinished:
                skipped["reconcile's scope and runs (reconcile sends its own calls)", default: 0] += 1
            }
        }
        notExported = skipped.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }
        for key in wholeLicences { toggledPlans[key] = nil }
        madeHere = Set(tenant.groups.filter { $0.uniqueName == Self.uniqueName(of: $0.id) }.map(\.id))

        for id in created.ids { if let group = tenant.group(id: id) { operations.append(.createGroup(group)); newGroupIDs.insert(id) } }
        for id in ruleChanged.ids where !created.contains(id) {
            guard let group = tenant.group(id: id) else { continue }
            operations.append(
                .updateGroup(id: id, name: group.displayName, membershipRule: group.membershipRule, processingState: group.membershipRuleProcessingState))
        }
        for (groupID, userID) in membershipOrder {
            guard let group = tenant.group(id: groupID), let isMember = membership[groupID + "/" + userID] else { continue }
            let upn = tenant.user(id: userID)?.userPrincipalName ?? userID
            // Added then removed (or the reverse) within the range: nothing to do.
            guard group.members.contains(userID) == isMember else { continue }
            operations.append(
                isMember
                    ? .addMember(groupID: groupID, groupName: group.displayName, userID: userID, upn: upn)
                    : .removeMember(groupID: groupID, groupName: group.displayName, userID: userID, upn: upn))
        }
        for id in created.ids where !(groupSkus[id]?.isEmpty ?? true) || tenant.group(id: id)?.assignedLicenses.isEmpty == false {
            groupSkus[id, default: []].formUnion(tenant.group(id: id)?.assignedLicenses.map(\.skuId) ?? [])
            groupOrder.insert(id)
        }
        for id in groupOrder.ids {
            guard let group = tenant.group(id: id), let skus = groupSkus[id] else { continue }
            let add = group.assignedLicenses.filter { skus.contains($0.skuId) }
            let remove = skus.subtracting(add.map(\.skuId)).sorted()
            if !add.isEmpty || !remove.isEmpty { operations.append(.groupLicenses(groupID: id, name: group.displayName, add: add, remove: remove)) }
        }
        var syncedEdits = 0
        for id in attributeOrder.ids {
            guard let user = tenant.user(id: id), let names = userAttributes[id] else { continue }
            // Graph refuses to change what Azure AD Connect masters: that edit belongs in AD.
            if user.onPremisesSyncEnabled == true {
                syncedEdits += 1
                continue
            }
            var values: [String: String?] = [:]
            for name in names.sorted() { values[name] = UserProperties.value(of: name, on: user) }
            operations.append(.updateUser(id: id, upn: user.userPrincipalName, values: values))
        }
        if syncedEdits > 0 {
            notExported.append("\(syncedEdits) × attribute changes of synced users (make them in AD: Graph can't change attributes that sync masters)")
        }
        for id in userOrder.ids {
            guard let user = tenant.user(id: id), let skus = userSkus[id] else { continue }
            let direct = Set(user.licenseAssignmentStates.filter { $0.assignedByGroup == nil }.map(\.skuId))
            let add = user.assignedLicenses.filter { skus.contains($0.skuId) && direct.contains($0.skuId) }
                .map { license in
                    AssignedLicense(
                        skuId: license.skuId,
                        disabledPlans: user.licenseAssignmentStates.first { $0.assignedByGroup == nil && $0.skuId == license.skuId }?.disabledPlans ?? [])
                }
            let remove = skus.subtracting(add.map(\.skuId)).sorted()
            operations.append(.userLicenses(id: id, upn: user.userPrincipalName, add: add, remove: remove))
        }
        var reprocessed = Set<String>()
        for id in reprocessGroups.ids {
            for member in tenant.group(id: id)?.members ?? [] where reprocessed.insert(member).inserted {
                operations.append(.reprocessUser(id: member, upn: tenant.user(id: member)?.userPrincipalName ?? member))
            }
        }
        for id in reprocessUsers.ids where reprocessed.insert(id).inserted {
            operations.append(.reprocessUser(id: id, upn: tenant.user(id: id)?.userPrincipalName ?? id))
        }
        for id in deleted.ids {
            // Graph (like LicenseDesk) refuses to delete a group that still assigns licences:
            // the removals made in the range go first.
            let name = Self.deletedName(id, entries: entries)
            let removed = (groupSkus[id] ?? []).filter { startedWith[id + "|" + $0] ?? false }.sorted()
            if !removed.isEmpty { operations.append(.groupLicenses(groupID: id, name: name, add: [], remove: removed)) }
            operations.append(.deleteGroup(id: id, name: name))
        }
    }

    /// The group a change is made to, if it is made to one.
    static func groupChanged(by change: TenantChange) -> String? {
        switch change {
        case .setGroupRule(let id, _), .setGroupPaused(let id, _), .addGroupMember(let id, _), .removeGroupMember(let id, _), .deleteGroup(let id),
            .addGroupLicense(let id, _, _), .removeGroupLicense(let id, _), .setGroupPlan(let id, _, _, _), .replaceGroupLicenses(let id, _, _),
            .reprocessGroup(let id), .createGroup(let id, _, _, _, _):
            id
        default: nil
        }
    }

    /// A deleted group is gone from the tenant: its name comes from the change that made it.
    private static func deletedName(_ id: String, entries: [JournalEntry]) -> String {
        for entry in entries {
            if case .createGroup(let created, let name, _, _, _) = entry.change, created == id { return name }
        }
        return id
    }

    /// The alternate key a group created by this export is addressed by in `$batch` requests.
    public static func uniqueName(of groupID: String) -> String { Group.uniqueName(madeHere: groupID) }
}

/// Ids in first-seen order, each once.
struct OrderedIDs {
    private(set) var ids: [String] = []
    private var set: Set<String> = []
    mutating func insert(_ id: String) { if set.insert(id).inserted { ids.append(id) } }
    mutating func remove(_ id: String) {
        if set.remove(id) != nil { ids.removeAll { $0 == id } }
    }
    func contains(_ id: String) -> Bool { set.contains(id) }
}
