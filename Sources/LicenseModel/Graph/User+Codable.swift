import Foundation
import MembershipRules

extension User: Codable {
    static let knownFields: Set<String> = {
        var names: Set<String> = [
            "id", "userPrincipalName", "displayName", "accountEnabled", "onPremisesSyncEnabled", "otherMails",
            "proxyAddresses", "employeeHireDate", "manager", "assignedLicenses", "licenseAssignmentStates",
            "assignedPlans", "onPremisesExtensionAttributes", "businessPhones", "onPremisesImmutableId",
            "onPremisesSamAccountName",
        ]
        names.formUnion(GraphUserField.topLevel.map(\.name))
        return names
    }()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        self.init(
            id: try c.decode(String.self, forKey: key("id")),
            userPrincipalName: try c.decode(String.self, forKey: key("userPrincipalName")),
            displayName: try c.decodeIfPresent(String.self, forKey: key("displayName")) ?? "")
        accountEnabled = try c.decodeIfPresent(Bool.self, forKey: key("accountEnabled"))
        onPremisesSyncEnabled = try c.decodeIfPresent(Bool.self, forKey: key("onPremisesSyncEnabled"))
        onPremisesImmutableId = try c.decodeIfPresent(String.self, forKey: key("onPremisesImmutableId"))
        onPremisesSamAccountName = try c.decodeIfPresent(String.self, forKey: key("onPremisesSamAccountName"))
        for (slot, name) in GraphUserField.topLevel {
            strings[slot] = try c.decodeIfPresent(String.self, forKey: key(name))
        }
        strings[GraphUserField.telephoneSlot] =
            try c.decodeIfPresent([String].self, forKey: key("businessPhones"))?.first
        if let attributes = try c.decodeIfPresent([String: String?].self, forKey: key("onPremisesExtensionAttributes")) {
            for (slot, name) in GraphUserField.extensionSlots { strings[slot] = attributes[name] ?? nil }
        }
        otherMails = try c.decodeIfPresent([String].self, forKey: key("otherMails")) ?? []
        proxyAddresses = try c.decodeIfPresent([String].self, forKey: key("proxyAddresses")) ?? []
        employeeHireDate = try c.decodeIfPresent(Date.self, forKey: key("employeeHireDate"))
        manager = try c.decodeIfPresent(ManagerReference.self, forKey: key("manager"))?.id
        assignedLicenses = try c.decodeIfPresent([AssignedLicense].self, forKey: key("assignedLicenses")) ?? []
        licenseAssignmentStates =
            try c.decodeIfPresent([LicenseAssignmentState].self, forKey: key("licenseAssignmentStates")) ?? []
        assignedPlans = try c.decodeIfPresent([AssignedPlan].self, forKey: key("assignedPlans")) ?? []
        var unknown = try c.unknownFields(besides: Self.knownFields)
        for (name, value) in unknown where RulePropertyTable.property(named: name)?.customExtension != nil {
            if let text = value.stringValue {
                customExtensions[name] = text
                unknown[name] = nil
            }
        }
        extra = unknown
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: GraphKey.self)
        func key(_ name: String) -> GraphKey { GraphKey(name) }
        try c.encode(unknown: extra)
        try c.encode(id, forKey: key("id"))
        try c.encode(userPrincipalName, forKey: key("userPrincipalName"))
        try c.encode(displayName, forKey: key("displayName"))
        try c.encodeIfPresent(accountEnabled, forKey: key("accountEnabled"))
        try c.encodeIfPresent(onPremisesSyncEnabled, forKey: key("onPremisesSyncEnabled"))
        try c.encodeIfPresent(onPremisesImmutableId, forKey: key("onPremisesImmutableId"))
        try c.encodeIfPresent(onPremisesSamAccountName, forKey: key("onPremisesSamAccountName"))
        for (slot, name) in GraphUserField.topLevel {
            try c.encodeIfPresent(strings[slot], forKey: key(name))
        }
        if let phone = strings[GraphUserField.telephoneSlot] { try c.encode([phone], forKey: key("businessPhones")) }
        var attributes: [String: String] = [:]
        for (slot, name) in GraphUserField.extensionSlots { attributes[name] = strings[slot] }
        try c.encodeUnlessEmpty(attributes, "onPremisesExtensionAttributes")
        try c.encodeUnlessEmpty(otherMails, "otherMails")
        try c.encodeUnlessEmpty(proxyAddresses, "proxyAddresses")
        try c.encodeIfPresent(employeeHireDate, forKey: key("employeeHireDate"))
        if let manager { try c.encode(ManagerReference(id: manager), forKey: key("manager")) }
        for (name, value) in customExtensions { try c.encode(value, forKey: key(name)) }
        try c.encode(assignedLicenses, forKey: key("assignedLicenses"))
        try c.encodeUnlessEmpty(licenseAssignmentStates, "licenseAssignmentStates")
        try c.encodeUnlessEmpty(assignedPlans, "assignedPlans")
    }
}

/// Graph's `manager` navigation, expanded to the manager's id.
struct ManagerReference: Codable {
    var id: String
}
