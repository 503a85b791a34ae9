/// Entra-like admin roles that LicenseDesk enforces on changes (`specs/persistence-security.md`
/// §2.3). Enforced in the model, so the CLI and the console refuse alike.
public enum DirectoryRole: String, Codable, CaseIterable, Sendable {
    case globalReader = "Global Reader"
    case licenseAdministrator = "License Administrator"
    case groupsAdministrator = "Groups Administrator"
    case userAdministrator = "User Administrator"
    case globalAdministrator = "Global Administrator"

    /// Finds a role by its name, ignoring case and spaces ("license administrator", "LicenseAdministrator").
    public static func named(_ text: String) -> DirectoryRole? {
        let folded = text.lowercased().replacingOccurrences(of: " ", with: "")
        return allCases.first { $0.rawValue.lowercased().replacingOccurrences(of: " ", with: "") == folded }
    }
}

extension TenantChange {
    /// The role that may make this change (a Global Administrator may make every change).
    public var requiredRole: DirectoryRole {
        switch self {
        case .addSku, .setSeats, .addGroupLicense, .removeGroupLicense, .setGroupPlan, .replaceGroupLicenses, .addUserLicense,
            .removeUserLicense, .reprocessGroup, .reprocessUser, .processPending, .setManagedScope, .reconcilePlanned, .reconcileFinished:
            .licenseAdministrator
        case .repairConsistency, .importDirectory:
            .globalAdministrator
        case .createGroup, .createPolicy, .setGroupRule, .setGroupPaused, .addGroupMember, .removeGroupMember, .deleteGroup:
            .groupsAdministrator
        case .createUser, .setUserAttributes, .removeUser, .addOnPremisesUser, .setOnPremisesUser, .removeOnPremisesUser,
            .configureSync, .runSync, .importOnPremises:
            .userAdministrator
        }
    }

    /// Whether holders of `roles` may make this change.
    public func isAllowed(for roles: Set<DirectoryRole>) -> Bool {
        if roles.contains(.globalAdministrator) || roles.contains(requiredRole) { return true }
        // A License Administrator may set a user's usage location, which licensing needs
        // (Entra's role description), and nothing else of the user.
        if case .setUserAttributes(_, let values) = self, roles.contains(.licenseAdministrator), !values.isEmpty,
            values.keys.allSatisfy({ $0.lowercased() == "usagelocation" })
        {
            return true
        }
        return false
    }

    /// Ids of the objects this change reads and writes: the units of conflict detection.
    public var touchedObjects: [String] {
        switch self {
        case .addSku(let sku, _, _), .setSeats(let sku, _): [sku]
        case .createUser(let draft): [draft.id]
        case .setUserAttributes(let user, _), .removeUser(let user), .reprocessUser(let user): [user]
        case .createGroup(let group, _, _, _, _), .setGroupRule(let group, _), .deleteGroup(let group), .setGroupPaused(let group, _),
            .reprocessGroup(let group):
            [group]
        case .addGroupMember(let group, let user), .removeGroupMember(let group, let user): [group, user]
        case .addGroupLicense(let group, _, _), .removeGroupLicense(let group, _), .setGroupPlan(let group, _, _, _),
            .replaceGroupLicenses(let group, _, _):
            [group]
        case .addUserLicense(let user, _, _), .removeUserLicense(let user, _): [user]
        case .processPending, .repairConsistency, .runSync, .configureSync: []
        case .createPolicy(let group, _, _, _): [group]
        // One run at a time per state: two would both claim and send.
        case .setManagedScope, .reconcilePlanned, .reconcileFinished: ["reconciliation"]
        case .importOnPremises(let users): users.map { "onprem:" + $0.samAccountName.lowercased() }
        case .importDirectory(let batch):
            batch.subscribedSkus.map(\.skuId) + batch.users.map(\.id) + batch.groups.map(\.id)
        case .addOnPremisesUser(let user): ["onprem:" + user.samAccountName.lowercased()]
        case .setOnPremisesUser(let sam, _), .removeOnPremisesUser(let sam): ["onprem:" + sam.lowercased()]
        }
    }
}
