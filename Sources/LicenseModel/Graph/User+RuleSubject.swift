import Foundation
import MembershipRules

/// A user together with what rules need from the rest of the tenant (its groups).
public struct RuleView: RuleSubject {
    public let user: User
    /// Ids of the groups the user is a direct member of (shared with the tenant's index, so a
    /// view costs no allocation; folded only when a memberOf rule asks).
    public let memberOf: Set<String>

    public init(_ user: User, memberOf: Set<String> = []) {
        self.user = user
        self.memberOf = memberOf
    }

    @inline(__always)
    public func foldedString(slot: Int) -> String? {
        switch slot {
        case StringSlot.objectId: RuleText.foldOrNull(user.id)
        case StringSlot.userPrincipalName: RuleText.foldOrNull(user.userPrincipalName)
        case StringSlot.displayName: RuleText.foldOrNull(user.displayName)
        default: user.strings.folded(slot)
        }
    }

    public func originalString(slot: Int) -> String? {
        switch slot {
        case StringSlot.objectId: user.id
        case StringSlot.userPrincipalName: user.userPrincipalName
        case StringSlot.displayName: user.displayName
        default: user.strings[slot]
        }
    }

    public func foldedCustomExtension(named name: String) -> String? {
        for (key, value) in user.customExtensions where key.lowercased() == name { return RuleText.foldOrNull(value) }
        return nil
    }

    public func boolean(_ property: RuleBooleanProperty) -> Bool? {
        switch property {
        case .accountEnabled: user.accountEnabled
        case .dirSyncEnabled: user.onPremisesSyncEnabled
        }
    }

    public var employeeHireDate: Date? { user.employeeHireDate }

    public func foldedStrings(_ collection: RuleCollectionProperty) -> [String] {
        switch collection {
        case .otherMails: user.otherMails.map(RuleText.fold)
        case .proxyAddresses: user.proxyAddresses.map(RuleText.fold)
        }
    }

    public var rulePlans: [RuleAssignedPlan] {
        user.assignedPlans.map {
            RuleAssignedPlan(servicePlanId: $0.servicePlanId, service: $0.service, capabilityStatus: $0.capabilityStatus)
        }
    }

    public func isMember(ofGroup foldedID: String) -> Bool {
        memberOf.contains(foldedID) || memberOf.contains { RuleText.fold($0) == foldedID }
    }

    public var foldedManagerID: String? { RuleText.foldOrNull(user.manager) }
}
