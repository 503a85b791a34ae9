import Foundation

/// Graph's group.licenseProcessingState.state.
public enum LicenseProcessingState: String, Codable, Sendable {
    case queuedForProcessing = "QueuedForProcessing"
    case processingInProgress = "ProcessingInProgress"
    case processingComplete = "ProcessingComplete"
}

/// Graph beta's membershipRuleProcessingStatus.status, with the portal's words.
public enum MembershipProcessingStatus: String, Codable, Sendable {
    case notStarted = "NotStarted"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
}

/// A group in the shape of Microsoft Graph's group resource.
public struct Group: Hashable, Sendable, Identifiable {
    public var id: String
    public var displayName: String
    public var description: String?
    public var securityEnabled: Bool = true
    public var mailEnabled: Bool = false
    /// Contains "DynamicMembership" for dynamic groups.
    public var groupTypes: [String] = []
    public var membershipRule: String?
    /// "On" or "Paused".
    public var membershipRuleProcessingState: String?
    public var membershipProcessingStatus: MembershipProcessingStatus?
    /// Why membership processing failed (Graph beta's membershipRuleProcessingStatus.errorMessage).
    public var membershipProcessingError: String?
    public var lastMembershipUpdated: Date?
    public var assignedLicenses: [AssignedLicense] = []
    public var licenseProcessingState: LicenseProcessingState?
    /// Direct members' object ids, in the order they joined (the seat order under shortage).
    public var members: [String] = []
    public var extra: [String: JSONValue] = [:]

    public init(id: String, displayName: String) {
        self.id = id
        self.displayName = displayName
    }

    public var isDynamic: Bool { groupTypes.contains("DynamicMembership") }
    /// The uniqueName of a group made in LicenseDesk: it addresses the group in a live tenant
    /// (`/groups(uniqueName='…')`), where the group has an id of the tenant's own.
    public static func uniqueName(madeHere id: String) -> String { "licensedesk-\(id)" }

    /// Graph's alternate key, kept as Graph sends it (among the properties the model does not use).
    public var uniqueName: String? {
        if case .string(let name) = extra["uniqueName"] { return name }
        return nil
    }
    public var isPaused: Bool { membershipRuleProcessingState == "Paused" }
}

extension Group: Codable {
    static let knownFields: Set<String> = [
        "id", "displayName", "description", "securityEnabled", "mailEnabled", "groupTypes", "membershipRule",
        "membershipRuleProcessingState", "membershipRuleProcessingStatus", "assignedLicenses",
        "licenseProcessingState", "members",
    ]

    struct ProcessingStatus: Codable {
        var status: MembershipProcessingStatus
        var lastMembershipUpdated: Date?
        var errorMessage: String?
    }
    struct LicenseState: Codable {
        var state: LicenseProcessingState
    }
    struct MemberReference: Codable {
        var id: String
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        self.init(
            id: try c.decode(String.self, forKey: key("id")),
            displayName: try c.decode(String.self, forKey: key("displayName")))
        description = try c.decodeIfPresent(String.self, forKey: key("description"))
        securityEnabled = try c.decodeIfPresent(Bool.self, forKey: key("securityEnabled")) ?? true
        mailEnabled = try c.decodeIfPresent(Bool.self, forKey: key("mailEnabled")) ?? false
        groupTypes = try c.decodeIfPresent([String].self, forKey: key("groupTypes")) ?? []
        membershipRule = try c.decodeIfPresent(String.self, forKey: key("membershipRule"))
        membershipRuleProcessingState = try c.decodeIfPresent(String.self, forKey: key("membershipRuleProcessingState"))
        let status = try c.decodeIfPresent(ProcessingStatus.self, forKey: key("membershipRuleProcessingStatus"))
        membershipProcessingStatus = status?.status
        lastMembershipUpdated = status?.lastMembershipUpdated
        membershipProcessingError = status?.errorMessage
        assignedLicenses = try c.decodeIfPresent([AssignedLicense].self, forKey: key("assignedLicenses")) ?? []
        licenseProcessingState = try c.decodeIfPresent(LicenseState.self, forKey: key("licenseProcessingState"))?.state
        members = try c.decodeIfPresent([MemberReference].self, forKey: key("members"))?.map(\.id) ?? []
        extra = try c.unknownFields(besides: Self.knownFields)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        try c.encode(unknown: extra)
        try c.encode(id, forKey: key("id"))
        try c.encode(displayName, forKey: key("displayName"))
        try c.encodeIfPresent(description, forKey: key("description"))
        try c.encode(securityEnabled, forKey: key("securityEnabled"))
        try c.encode(mailEnabled, forKey: key("mailEnabled"))
        try c.encode(groupTypes, forKey: key("groupTypes"))
        try c.encodeIfPresent(membershipRule, forKey: key("membershipRule"))
        try c.encodeIfPresent(membershipRuleProcessingState, forKey: key("membershipRuleProcessingState"))
        if let status = membershipProcessingStatus {
            try c.encode(
                ProcessingStatus(status: status, lastMembershipUpdated: lastMembershipUpdated, errorMessage: membershipProcessingError),
                forKey: key("membershipRuleProcessingStatus"))
        }
        try c.encode(assignedLicenses, forKey: key("assignedLicenses"))
        if let state = licenseProcessingState {
            try c.encode(LicenseState(state: state), forKey: key("licenseProcessingState"))
        }
        try c.encode(members.map(MemberReference.init(id:)), forKey: key("members"))
    }
}
