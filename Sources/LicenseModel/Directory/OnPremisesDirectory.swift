import Foundation

/// A user in on-premises Active Directory, by its AD attribute names.
public struct OnPremisesUser: Codable, Hashable, Sendable {
    public var samAccountName: String
    /// The source anchor: a synced cloud user carries it as onPremisesImmutableId.
    public var objectGUID: String
    /// AD attribute → value: userPrincipalName, displayName, givenName, sn, department, company,
    /// title, l, co, c, mail, usageLocation, extensionAttribute1–15, distinguishedName.
    public var attributes: [String: String]
    public var enabled: Bool

    public init(samAccountName: String, objectGUID: String, attributes: [String: String], enabled: Bool = true) {
        self.samAccountName = samAccountName
        self.objectGUID = objectGUID
        self.attributes = attributes
        self.enabled = enabled
    }

    public var distinguishedName: String { attributes["distinguishedName"] ?? "CN=\(samAccountName),CN=Users" }
}

/// Which attributes flow to the cloud and which OUs are in scope (Azure AD Connect's settings).
public struct SyncConfiguration: Codable, Hashable, Sendable {
    /// AD attributes left out of sync: their on-premises changes no longer reach the cloud.
    public var excludedAttributes: Set<String> = []
    /// OU distinguished names in scope; empty means the whole directory.
    public var scopes: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey { case excludedAttributes, scopes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        excludedAttributes = Set(try c.decodeIfPresent([String].self, forKey: .excludedAttributes) ?? [])
        scopes = try c.decodeIfPresent([String].self, forKey: .scopes) ?? []
    }

    /// Sorted, so the state file is the same bytes every time.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(excludedAttributes.sorted(), forKey: .excludedAttributes)
        try c.encode(scopes, forKey: .scopes)
    }

    public func syncs(_ attribute: String) -> Bool { !excludedAttributes.contains(attribute) }

    public func inScope(_ user: OnPremisesUser) -> Bool {
        scopes.isEmpty || scopes.contains { user.distinguishedName.lowercased().hasSuffix($0.lowercased()) }
    }
}

/// The on-premises directory and its sync state.
public struct OnPremisesDirectory: Codable, Hashable, Sendable {
    public internal(set) var users: [OnPremisesUser] = []
    public internal(set) var configuration = SyncConfiguration()
    /// samAccountNames changed since the last sync cycle (what a delta cycle looks at).
    public internal(set) var changed: [String] = []
    public internal(set) var lastSync: Date?

    public init() {}

    public func user(sam: String) -> OnPremisesUser? {
        users.first { $0.samAccountName.lowercased() == sam.lowercased() }
    }
}

/// How AD attributes map to the cloud user's rule properties (the standard synced set).
public enum SyncMapping {
    /// AD attribute → cloud property (rule name).
    public static let attributes: [(ad: String, cloud: String)] =
        [
            ("userPrincipalName", "userPrincipalName"), ("displayName", "displayName"), ("givenName", "givenName"),
            ("sn", "surname"), ("department", "department"), ("company", "companyName"), ("title", "jobTitle"),
            ("l", "city"), ("co", "country"), ("mail", "mail"), ("usageLocation", "usageLocation"),
            ("distinguishedName", "onPremisesDistinguishedName"), ("mailNickname", "mailNickName"),
            ("employeeID", "employeeId"), ("telephoneNumber", "telephoneNumber"),
        ] + (1...15).map { ("extensionAttribute\($0)", "extensionAttribute\($0)") }

    public static let adNames: Set<String> = Set(attributes.map(\.ad)).union(["sAMAccountName", "enabled", "c"])

    /// The AD attribute a cloud property comes from, for "change it on-premises" messages.
    public static func adAttribute(forCloud property: String) -> String? {
        attributes.first { $0.cloud.lowercased() == property.lowercased() }?.ad
    }
}
