/// Graph's licenseUnitsDetail: seats by subscription state.
public struct PrepaidUnits: Codable, Hashable, Sendable {
    public var enabled: Int
    public var suspended: Int = 0
    public var warning: Int = 0
    public var lockedOut: Int = 0
    public init(enabled: Int) { self.enabled = enabled }

    enum CodingKeys: String, CodingKey { case enabled, suspended, warning, lockedOut }

    /// Graph sends all four; a hand-made file may not, and a missing count is zero.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Int.self, forKey: .enabled) ?? 0
        suspended = try c.decodeIfPresent(Int.self, forKey: .suspended) ?? 0
        warning = try c.decodeIfPresent(Int.self, forKey: .warning) ?? 0
        lockedOut = try c.decodeIfPresent(Int.self, forKey: .lockedOut) ?? 0
    }
}

/// Graph's servicePlanInfo inside a subscribed SKU.
public struct ServicePlanInfo: Codable, Hashable, Sendable {
    public var servicePlanId: String
    public var servicePlanName: String
    public var provisioningStatus: String
    public var appliesTo: String
    public init(servicePlanId: String, servicePlanName: String, provisioningStatus: String = "Success", appliesTo: String = "User") {
        self.servicePlanId = servicePlanId
        self.servicePlanName = servicePlanName
        self.provisioningStatus = provisioningStatus
        self.appliesTo = appliesTo
    }
}

/// A SKU the tenant has bought, with its seats and service plans (Graph's subscribedSku).
public struct SubscribedSku: Hashable, Sendable, Identifiable {
    public var id: String
    public var skuId: String
    public var skuPartNumber: String
    public var appliesTo: String = "User"
    public var capabilityStatus: String = "Enabled"
    public var consumedUnits: Int = 0
    public var prepaidUnits: PrepaidUnits
    public var servicePlans: [ServicePlanInfo]
    public var extra: [String: JSONValue] = [:]

    public init(skuId: String, skuPartNumber: String, seats: Int, servicePlans: [ServicePlanInfo]) {
        id = skuId
        self.skuId = skuId
        self.skuPartNumber = skuPartNumber
        prepaidUnits = PrepaidUnits(enabled: seats)
        self.servicePlans = servicePlans
    }

    /// Seats that can still be assigned (`specs/licensing.md` §2.4).
    /// Seats left; saturating, so no stored count (an import's `Int.max`, a negative
    /// `consumedUnits`) can trap the process.
    public var availableUnits: Int {
        let (difference, overflow) = prepaidUnits.enabled.subtractingReportingOverflow(consumedUnits)
        if overflow { return consumedUnits < 0 ? Int.max : Int.min }
        return difference
    }
    public var planIds: [String] { servicePlans.map(\.servicePlanId) }
}

extension SubscribedSku: Codable {
    static let knownFields: Set<String> = [
        "id", "skuId", "skuPartNumber", "appliesTo", "capabilityStatus", "consumedUnits", "prepaidUnits", "servicePlans",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        let skuId = try c.decode(String.self, forKey: key("skuId"))
        self.init(
            skuId: skuId, skuPartNumber: try c.decode(String.self, forKey: key("skuPartNumber")), seats: 0,
            servicePlans: try c.decodeIfPresent([ServicePlanInfo].self, forKey: key("servicePlans")) ?? [])
        id = try c.decodeIfPresent(String.self, forKey: key("id")) ?? skuId
        appliesTo = try c.decodeIfPresent(String.self, forKey: key("appliesTo")) ?? "User"
        capabilityStatus = try c.decodeIfPresent(String.self, forKey: key("capabilityStatus")) ?? "Enabled"
        consumedUnits = try c.decodeIfPresent(Int.self, forKey: key("consumedUnits")) ?? 0
        prepaidUnits = try c.decodeIfPresent(PrepaidUnits.self, forKey: key("prepaidUnits")) ?? PrepaidUnits(enabled: 0)
        extra = try c.unknownFields(besides: Self.knownFields)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        try c.encode(unknown: extra)
        try c.encode(id, forKey: key("id"))
        try c.encode(skuId, forKey: key("skuId"))
        try c.encode(skuPartNumber, forKey: key("skuPartNumber"))
        try c.encode(appliesTo, forKey: key("appliesTo"))
        try c.encode(capabilityStatus, forKey: key("capabilityStatus"))
        try c.encode(consumedUnits, forKey: key("consumedUnits"))
        try c.encode(prepaidUnits, forKey: key("prepaidUnits"))
        try c.encode(servicePlans, forKey: key("servicePlans"))
    }
}

/// Graph's organization: the tenant's name and country (the usage location for group
/// licensing when a user has none, `specs/licensing.md` R13).
public struct Organization: Hashable, Sendable, Identifiable {
    public var id: String
    public var displayName: String
    public var countryLetterCode: String
    public var extra: [String: JSONValue] = [:]

    public init(id: String, displayName: String, countryLetterCode: String) {
        self.id = id
        self.displayName = displayName
        self.countryLetterCode = countryLetterCode
    }
}

extension Organization: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        self.init(
            id: try c.decode(String.self, forKey: GraphKey("id")),
            displayName: try c.decode(String.self, forKey: GraphKey("displayName")),
            countryLetterCode: try c.decode(String.self, forKey: GraphKey("countryLetterCode")))
        extra = try c.unknownFields(besides: ["id", "displayName", "countryLetterCode"])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: GraphKey.self)
        try c.encode(unknown: extra)
        try c.encode(id, forKey: GraphKey("id"))
        try c.encode(displayName, forKey: GraphKey("displayName"))
        try c.encode(countryLetterCode, forKey: GraphKey("countryLetterCode"))
    }
}
