import MembershipRules

/// The portal's words for a group's membership processing (`specs/licensing.md` §4), shared by
/// the command line and the console so they never disagree.
public enum PortalMembershipStatus: String, Sendable {
    case staticGroup = "static"
    case notStarted = "Not started"
    case evaluating = "Evaluating"
    case updateComplete = "Update complete"
    case processingError = "Processing error"
    case updatePaused = "Update paused"
    /// A rule that came from the tenant (Entra accepted it) but uses what LicenseDesk does not
    /// evaluate: its members are kept as they came, never recomputed here.
    case notEvaluatedHere = "Not evaluated here"

    /// Whether it means work still to come.
    public var isPending: Bool { self == .notStarted || self == .evaluating }
}

extension Tenant {
    public func portalStatus(of group: Group) -> PortalMembershipStatus {
        guard group.isDynamic else { return .staticGroup }
        if notEvaluatedReason(of: group) != nil { return .notEvaluatedHere }
        if group.isPaused { return .updatePaused }
        if pending.membershipGroups.contains(group.id) {
            return group.membershipProcessingStatus == .notStarted ? .notStarted : .evaluating
        }
        switch group.membershipProcessingStatus {
        case .notStarted, nil: return .notStarted
        case .running: return .evaluating
        case .succeeded: return .updateComplete
        case .failed: return .processingError
        }
    }
}

extension Tenant {
    /// Why a dynamic group's rule is not evaluated here (it came from a tenant, where Entra
    /// accepted it, but uses a property or operator LicenseDesk does not evaluate), or nil.
    public func notEvaluatedReason(of group: Group) -> String? {
        guard group.isDynamic, let rule = group.membershipRule, compiledRule(of: group.id) == nil else { return nil }
        do {
            _ = try MembershipRule(rule)
            return nil
        } catch {
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}
