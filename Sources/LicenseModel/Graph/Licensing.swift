import Foundation

/// Graph's assignedLicense: a SKU and the plans switched off in it.
public struct AssignedLicense: Codable, Hashable, Sendable {
    public var skuId: String
    public var disabledPlans: [String]
    public init(skuId: String, disabledPlans: [String] = []) {
        self.skuId = skuId
        self.disabledPlans = disabledPlans.sorted()
    }
}

/// Graph's licenseAssignmentState.state.
public enum LicenseAssignmentStatus: String, Codable, Sendable, CaseIterable {
    case active = "Active"
    case activeWithError = "ActiveWithError"
    case disabled = "Disabled"
    case error = "Error"

    /// Whether the licence is applied (and so consumes a seat).
    public var isApplied: Bool { self == .active || self == .activeWithError }
}

/// Graph's licenseAssignmentState.error (`specs/licensing.md` §2.2: "None" on success).
public enum LicenseError: String, Codable, Sendable, CaseIterable {
    case none = "None"
    case countViolation = "CountViolation"
    case mutuallyExclusiveViolation = "MutuallyExclusiveViolation"
    case dependencyViolation = "DependencyViolation"
    case prohibitedInUsageLocationViolation = "ProhibitedInUsageLocationViolation"
    case uniquenessViolation = "UniquenessViolation"
    case other = "Other"

    /// The portal's label for the error.
    public var label: String {
        switch self {
        case .none: "None"
        case .countViolation: "Not enough licenses"
        case .mutuallyExclusiveViolation: "Conflicting service plans"
        case .dependencyViolation: "Other products depend on this license"
        case .prohibitedInUsageLocationViolation: "Usage location isn't allowed"
        case .uniquenessViolation: "Duplicate proxy address"
        case .other: "Other"
        }
    }
}

/// One assignment path: a SKU, direct (assignedByGroup nil) or through one group.
public struct LicenseAssignmentState: Codable, Hashable, Sendable {
    public var skuId: String
    public var disabledPlans: [String]
    public var assignedByGroup: String?
    public var state: LicenseAssignmentStatus
    public var error: LicenseError
    public var lastUpdatedDateTime: Date

    public init(
        skuId: String, disabledPlans: [String], assignedByGroup: String?, state: LicenseAssignmentStatus,
        error: LicenseError, lastUpdatedDateTime: Date
    ) {
        self.skuId = skuId
        self.disabledPlans = disabledPlans.sorted()
        self.assignedByGroup = assignedByGroup
        self.state = state
        self.error = error
        self.lastUpdatedDateTime = lastUpdatedDateTime
    }

    public var isDirect: Bool { assignedByGroup == nil }

    enum CodingKeys: String, CodingKey {
        case skuId, disabledPlans, assignedByGroup, state, error, lastUpdatedDateTime
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(skuId, forKey: .skuId)
        try container.encode(disabledPlans, forKey: .disabledPlans)
        // Graph writes null for a direct path; keep the key so the shape matches.
        try container.encode(assignedByGroup, forKey: .assignedByGroup)
        try container.encode(state, forKey: .state)
        try container.encode(error, forKey: .error)
        try container.encode(lastUpdatedDateTime, forKey: .lastUpdatedDateTime)
    }
}

/// Graph's assignedPlan: one service plan on a user, kept as a `Deleted` row once it goes away.
public struct AssignedPlan: Codable, Hashable, Sendable {
    public var assignedDateTime: Date
    public var capabilityStatus: String
    public var service: String
    public var servicePlanId: String

    public init(assignedDateTime: Date, capabilityStatus: String, service: String, servicePlanId: String) {
        self.assignedDateTime = assignedDateTime
        self.capabilityStatus = capabilityStatus
        self.service = service
        self.servicePlanId = servicePlanId
    }
}
