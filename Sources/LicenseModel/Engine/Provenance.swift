import Foundation
import MembershipRules

/// Why a user has each plan (`licensedesk users explain`): every path that grants it or holds it
/// back, the state of each path and why, and which rule clauses made the user a member of each
/// group the paths come from.
public struct UserProvenance: Equatable, Sendable, Codable {
    public struct Path: Equatable, Sendable, Codable {
        /// "direct" or "group <name>".
        public var path: String
        public var state: String
        public var error: String
        public var why: String
    }
    public struct Plan: Equatable, Sendable, Codable {
        public var skuPartNumber: String
        public var servicePlanName: String
        public var friendlyName: String
        public var enabled: Bool
        public var grantedBy: [Path]
        /// Paths of the SKU that switch this plan off.
        public var disabledBy: [Path]
    }
    public struct Membership: Equatable, Sendable, Codable {
        public var group: String
        /// "dynamic", "dynamic (paused)" or "static".
        public var kind: String
        public var rule: String?
        /// The rule's sub-expressions with their values for this user, indented; the true
        /// clauses are the ones that made the user a member.
        public var explanation: [String]
    }

    public var userPrincipalName: String
    public var memberships: [Membership]
    public var plans: [Plan]
}

extension Tenant {
    /// The provenance of `user`'s plans, or of one plan (by name, id or friendly name).
    public func provenance(of user: User, plan query: String? = nil) throws(ModelError) -> UserProvenance {
        var wanted: String?
        if let query {
            guard let plan = SKUCatalog.shared.plan(matching: query) else {
                throw .invalidInput("no service plan matches \(query); try its name such as EXCHANGE_S_ENTERPRISE")
            }
            wanted = plan.id
        }
        var plans: [UserProvenance.Plan] = []
        for skuId in Array(Set(user.licenseAssignmentStates.map(\.skuId))).sorted() {
            guard let sku = sku(id: skuId) else { continue }
            let paths = user.paths(for: skuId)
            for plan in sku.servicePlans where wanted == nil || wanted == plan.servicePlanId {
                var granted: [UserProvenance.Path] = []
                var disabled: [UserProvenance.Path] = []
                for path in paths {
                    let fact = describe(path)
                    if path.disabledPlans.contains(plan.servicePlanId) {
                        disabled.append(fact)
                    } else if path.state.isApplied {
                        granted.append(fact)
                    } else {
                        disabled.append(fact)
                    }
                }
                plans.append(
                    UserProvenance.Plan(
                        skuPartNumber: sku.skuPartNumber, servicePlanName: plan.servicePlanName,
                        friendlyName: SKUCatalog.shared.friendlyName(ofPlan: plan.servicePlanId), enabled: !granted.isEmpty,
                        grantedBy: granted, disabledBy: disabled))
            }
        }
        if wanted != nil && plans.isEmpty {
            throw .invalidInput("\(user.userPrincipalName) has no licence that includes \(query ?? "")")
        }
        let memberships = groups(of: user.id).map { group -> UserProvenance.Membership in
            guard group.isDynamic, let rule = compiledRule(of: group.id) else {
                return .init(group: group.displayName, kind: "static", rule: nil, explanation: ["a direct member of a static group"])
            }
            return .init(
                group: group.displayName, kind: group.isPaused ? "dynamic (paused)" : "dynamic", rule: group.membershipRule,
                explanation: rule.explain(ruleView(of: user)).lines(indent: 1))
        }
        return UserProvenance(userPrincipalName: user.userPrincipalName, memberships: memberships, plans: plans)
    }

    private func describe(_ path: LicenseAssignmentState) -> UserProvenance.Path {
        let name = LicenceReports.name(path.assignedByGroup ?? "", self)
        let why: String
        switch (path.state, path.error) {
        case (.active, _): why = "applied"
        case (.activeWithError, let error):
            why = "applied with its previous plans, but the last change failed: \(error.label). \(LicenceReports.fix(for: error))"
        case (.error, let error): why = "not applied: \(error.label). \(LicenceReports.fix(for: error))"
        case (.disabled, _): why = "disabled: the subscription or the path is switched off"
        }
        return .init(path: name, state: path.state.rawValue, error: path.error.rawValue, why: why)
    }
}
