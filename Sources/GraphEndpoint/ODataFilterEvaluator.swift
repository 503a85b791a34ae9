import Foundation
import LicenseModel
import MembershipRules

/// Evaluates a parsed `$filter` against a user, as Graph's directory does: string comparisons
/// ignore case, a missing value is `null`, `any()` is true when one item of the collection
/// satisfies the condition (with the variable bound to it).
public struct ODataFilterEvaluator {
    /// What a path names on an object: one value, a collection of values, or a collection of
    /// records (licences, plans) whose fields the lambda variable reaches.
    enum Value {
        case single(String?)
        case strings([String])
        case records([[String: String]])
    }

    let filter: ODataFilter

    public init(_ filter: ODataFilter) { self.filter = filter }

    public func matches(_ user: User) -> Bool {
        evaluate(filter, on: { Self.userValue(user, $0) })
    }

    public func matches(_ group: Group, in tenant: Tenant) -> Bool {
        evaluate(filter, on: { Self.groupValue(group, in: tenant, $0) })
    }

    private func evaluate(_ filter: ODataFilter, on lookup: ([String]) -> Value) -> Bool {
        switch filter {
        case .and(let a, let b): return evaluate(a, on: lookup) && evaluate(b, on: lookup)
        case .or(let a, let b): return evaluate(a, on: lookup) || evaluate(b, on: lookup)
        case .not(let inner): return !evaluate(inner, on: lookup)
        case .compare(let path, let op, let literal):
            guard case .single(let value) = lookup(path) else { return false }
            return Self.compare(value, op, literal.text)
        case .isIn(let path, let values):
            guard case .single(let value) = lookup(path) else { return false }
            return values.contains { Self.compare(value, .eq, $0.text) }
        case .function(let name, let path, let text):
            guard case .single(let value?) = lookup(path) else { return false }
            let folded = value.lowercased()
            return name == .startswith ? folded.hasPrefix(text.lowercased()) : folded.hasSuffix(text.lowercased())
        case .any(let collection, let variable, let body):
            switch lookup(collection) {
            case .strings(let items):
                return items.contains { item in evaluate(body) { $0 == [variable] ? .single(item) : lookup($0) } }
            case .records(let items):
                return items.contains { item in
                    evaluate(body) { path in
                        guard path.first == variable else { return lookup(path) }
                        return .single(path.count == 2 ? item[path[1].lowercased()] : nil)
                    }
                }
            case .single: return false
            }
        }
    }

    private static func compare(_ value: String?, _ op: ODataFilter.ComparisonOperator, _ literal: String?) -> Bool {
        guard let value, let literal else {
            // null only equals null.
            switch op {
            case .eq: return value == nil && literal == nil
            case .ne: return !(value == nil && literal == nil)
            default: return false
            }
        }
        let order = value.compare(literal, options: [.caseInsensitive])
        switch op {
        case .eq: return order == .orderedSame
        case .ne: return order != .orderedSame
        case .gt: return order == .orderedDescending
        case .ge: return order != .orderedAscending
        case .lt: return order == .orderedAscending
        case .le: return order != .orderedDescending
        }
    }

    /// A group's value at a Graph property path (`displayName`, `groupTypes`,
    /// `hasMembersWithLicenseErrors`, `assignedLicenses`).
    static func groupValue(_ group: Group, in tenant: Tenant, _ path: [String]) -> Value {
        func flag(_ value: Bool?) -> Value { .single(value.map { $0 ? "true" : "false" }) }
        switch path.first?.lowercased() ?? "" {
        case "id": return .single(group.id)
        case "displayname": return .single(group.displayName)
        case "description": return .single(group.description)
        case "mailnickname", "mail":
            // Not modelled; kept as imported.
            let key = path[0].lowercased() == "mail" ? "mail" : "mailNickname"
            if case .string(let text)? = group.extra[key] { return .single(text) }
            return .single(nil)
        case "membershiprule": return .single(group.membershipRule)
        case "membershipruleprocessingstate": return .single(group.membershipRuleProcessingState)
        case "securityenabled": return flag(group.securityEnabled)
        case "mailenabled": return flag(group.mailEnabled)
        case "groupTypes".lowercased(): return .strings(group.groupTypes)
        case "hasmemberswithlicenseerrors": return flag(tenant.hasMembersWithLicenseErrors(group.id))
        case "assignedlicenses": return .records(group.assignedLicenses.map { ["skuid": $0.skuId] })
        default: return .single(nil)
        }
    }

    /// A user's value at a Graph property path (`department`,
    /// `onPremisesExtensionAttributes/extensionAttribute10`, `assignedLicenses`).
    static func userValue(_ user: User, _ path: [String]) -> Value {
        let name = path.first?.lowercased() ?? ""
        switch name {
        case "id": return .single(user.id)
        case "userprincipalname": return .single(user.userPrincipalName)
        case "displayname": return .single(user.displayName)
        case "accountenabled": return .single(user.accountEnabled.map { $0 ? "true" : "false" })
        case "onpremisessyncenabled": return .single(user.onPremisesSyncEnabled.map { $0 ? "true" : "false" })
        case "usagelocation": return .single(user.usageLocation)
        case "proxyaddresses": return .strings(user.proxyAddresses)
        case "othermails": return .strings(user.otherMails)
        case "assignedlicenses":
            return .records(user.assignedLicenses.map { ["skuid": $0.skuId] })
        case "assignedplans":
            return .records(user.assignedPlans.map { ["serviceplanid": $0.servicePlanId, "capabilitystatus": $0.capabilityStatus, "service": $0.service] })
        case "onpremisesextensionattributes":
            guard path.count == 2, let slot = StringSlot.slot(named: path[1]), path[1].lowercased().hasPrefix("extensionattribute") else { return .single(nil) }
            return .single(user.strings[slot])
        default:
            if path.count == 1, let slot = StringSlot.slot(named: name) { return .single(user.strings[slot]) }
            return .single(nil)
        }
    }
}
