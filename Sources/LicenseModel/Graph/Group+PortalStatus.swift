/// The portal's words for a group's membership processing (`specs/licensing.md` §4), shared by
/// the command line and the console so they never disagree.
public enum PortalMembershipStatus: String, Sendable {
    case staticGroup = "static"
    case notStarted = "Not started"
    case evaluating = "Evaluating"
    case updateComplete = "Update complete"
    case processingError = "Processing error"
    case updatePaused = "Update paused"

    /// Whether it means work still to come.
    public var isPending: Bool { self == .notStarted || self == .evaluating }
}

extension Tenant {
    public func portalStatus(of group: Group) -> PortalMembershipStatus {
        guard group.isDynamic else { return .staticGroup }
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
