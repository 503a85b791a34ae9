import Foundation
import MembershipRules

extension User: Codable {
    /// What each known field of a Graph user is, by name.
    enum Field {
        case id, userPrincipalName, displayName, accountEnabled, onPremisesSyncEnabled, onPremisesImmutableId
        case onPremisesSamAccountName, string(Int), businessPhones, extensionAttributes, otherMails, proxyAddresses
        case employeeHireDate, manager, assignedLicenses, licenseAssignmentStates, assignedPlans
    }

    static let fields: [String: Field] = {
        var fields: [String: Field] = [
            "id": .id, "userPrincipalName": .userPrincipalName, "displayName": .displayName, "accountEnabled": .accountEnabled,
            "onPremisesSyncEnabled": .onPremisesSyncEnabled, "onPremisesImmutableId": .onPremisesImmutableId,
            "onPremisesSamAccountName": .onPremisesSamAccountName, "businessPhones": .businessPhones,
            "onPremisesExtensionAttributes": .extensionAttributes, "otherMails": .otherMails, "proxyAddresses": .proxyAddresses,
            "employeeHireDate": .employeeHireDate, "manager": .manager, "assignedLicenses": .assignedLicenses,
            "licenseAssignmentStates": .licenseAssignmentStates, "assignedPlans": .assignedPlans,
        ]
        for (slot, name) in GraphUserField.topLevel { fields[name] = .string(slot) }
        return fields
    }()

    /// Every Graph user property the model reads, for a `$select` that brings all of them
    /// (`pull`). Not `manager`, a relationship Graph gives by `$expand`, nor `sipProxyAddress`,
    /// which rules name but Graph's user has no such property (a `$select` of it is a 400).
    public static var graphPropertyNames: [String] { fields.keys.filter { $0 != "manager" && $0 != "sipProxyAddress" }.sorted() }

    /// Walks the fields the record has (a user sets a dozen of some fifty known ones), rather
    /// than asking for every known field: loading a million users spends its time here.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: GraphKey.self)
        var id: String?
        var userPrincipalName: String?
        var displayName: String?
        var strings = UserStrings()
        var unknown: [String: JSONValue] = [:]
        var rest = User(id: "", userPrincipalName: "", displayName: "")
        for key in c.allKeys {
            guard let field = Self.fields[key.stringValue] else {
                unknown[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
                continue
            }
            switch field {
            case .id: id = try c.decode(String.self, forKey: key)
            case .userPrincipalName: userPrincipalName = try c.decode(String.self, forKey: key)
            case .displayName: displayName = try c.decodeIfPresent(String.self, forKey: key)
            case .accountEnabled: rest.accountEnabled = try c.decodeIfPresent(Bool.self, forKey: key)
            case .onPremisesSyncEnabled: rest.onPremisesSyncEnabled = try c.decodeIfPresent(Bool.self, forKey: key)
            case .onPremisesImmutableId: rest.onPremisesImmutableId = try c.decodeIfPresent(String.self, forKey: key)
            case .onPremisesSamAccountName: rest.onPremisesSamAccountName = try c.decodeIfPresent(String.self, forKey: key)
            case .string(let slot): strings[slot] = try c.decodeIfPresent(String.self, forKey: key)
            case .businessPhones: strings[GraphUserField.telephoneSlot] = try c.decodeIfPresent([String].self, forKey: key)?.first
            case .extensionAttributes:
                if let attributes = try c.decodeIfPresent([String: String?].self, forKey: key) {
                    for (slot, name) in GraphUserField.extensionSlots { strings[slot] = attributes[name] ?? nil }
                }
            case .otherMails: rest.otherMails = try c.decodeIfPresent([String].self, forKey: key) ?? []
            case .proxyAddresses: rest.proxyAddresses = try c.decodeIfPresent([String].self, forKey: key) ?? []
            case .employeeHireDate: rest.employeeHireDate = try c.decodeIfPresent(Date.self, forKey: key)
            case .manager: rest.manager = try c.decodeIfPresent(ManagerReference.self, forKey: key)?.id
            case .assignedLicenses: rest.assignedLicenses = try c.decodeIfPresent([AssignedLicense].self, forKey: key) ?? []
            case .licenseAssignmentStates:
                rest.licenseAssignmentStates = try c.decodeIfPresent([LicenseAssignmentState].self, forKey: key) ?? []
            case .assignedPlans: rest.assignedPlans = try c.decodeIfPresent([AssignedPlan].self, forKey: key) ?? []
            }
        }
        guard let id else { throw DecodingError.keyNotFound(GraphKey("id"), .init(codingPath: c.codingPath, debugDescription: "no id")) }
        guard let userPrincipalName else {
            throw DecodingError.keyNotFound(
                GraphKey("userPrincipalName"), .init(codingPath: c.codingPath, debugDescription: "no userPrincipalName"))
        }
        self = rest
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName ?? ""
        self.strings = strings
        keepUnknown(unknown)
    }

    /// Fields the model does not know: a directory extension a rule can name becomes one of
    /// the user's custom extensions, everything else is kept as read (`extra`).
    mutating func keepUnknown(_ unknown: [String: JSONValue]) {
        var unknown = unknown
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
