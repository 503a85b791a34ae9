import Foundation

/// A licence policy is a dynamic group with group licences that LicenseDesk evaluates itself
/// and applies as direct licences (`licensedesk reconcile`), for tenants where Entra's
/// group-based licensing is not available to everyone (it needs Entra ID P1). In the state it
/// is a group like any other (the rule editor, previews and the model's group-based licensing
/// all work on it), marked by an OData-style instance annotation that Graph readers ignore. It
/// is never created in the tenant: a push leaves it out.
extension Group {
    /// The annotation that marks a policy in `groups.json`.
    public static let policyAnnotation = "@licensedesk.policy"

    /// Whether LicenseDesk, not Entra, evaluates this group (a licence policy).
    public var isPolicy: Bool {
        if case .bool(true) = extra[Self.policyAnnotation] { return true }
        return false
    }

    /// "policy" for a licence policy, else the portal's membership type.
    public var kindLabel: String { isPolicy ? "policy" : (isDynamic ? "dynamic" : "assigned") }
}

extension Tenant {
    /// The licence policies, in the tenant's group order.
    public var policies: [Group] { groups.filter(\.isPolicy) }
}
