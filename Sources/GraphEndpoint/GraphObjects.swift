import Foundation
import LicenseModel
import LicenseStore

/// The model's objects as Graph returns them: the state's Graph shape (the files are Graph
/// JSON), then Graph's rule for properties — a default set without `$select`, exactly the
/// selected ones with it (missing ones `null`, collections `[]`; licensing properties come only
/// when selected). The default sets are those of Microsoft's published examples (kept in
/// Tests/EndToEndTests/GraphExamples and compared there).
enum GraphObjects {
    static let userDefaults = [
        "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname",
        "userPrincipalName",
    ]
    /// An item of `GET /groups` (group-list.md, Example 1).
    static let groupListDefaults = [
        "id", "deletedDateTime", "classification", "createdDateTime", "description", "displayName", "expirationDateTime", "groupTypes",
        "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState", "onPremisesLastSyncDateTime",
        "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation", "preferredLanguage", "proxyAddresses", "renewedDateTime",
        "resourceBehaviorOptions", "resourceProvisioningOptions", "securityEnabled", "theme", "visibility", "onPremisesProvisioningErrors",
    ]
    /// `GET /groups/{id}` and the 201 of `POST /groups` carry four more (group-get.md, group-post-groups.md).
    static let groupDefaults = groupListDefaults + ["onPremisesDomainName", "onPremisesNetBiosName", "onPremisesSamAccountName", "securityIdentifier"]
    /// `GET /organization` (organization-list.md).
    static let organizationDefaults = [
        "id", "deletedDateTime", "businessPhones", "city", "country", "countryLetterCode", "createdDateTime", "defaultUsageLocation", "displayName",
        "isMultipleDataLocationsForServicesEnabled", "marketingNotificationEmails", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled",
        "partnerTenantType", "postalCode", "preferredLanguage", "securityComplianceNotificationMails", "securityComplianceNotificationPhones",
        "state", "street", "technicalNotificationMails", "tenantType", "directorySizeQuota", "assignedPlans", "privacyProfile", "provisionedPlans",
        "verifiedDomains",
    ]
    /// Collections Graph answers with `[]`, never `null`, when empty.
    static let collections: Set<String> = Set(
        [
            "businessPhones", "proxyAddresses", "otherMails", "imAddresses", "identities", "assignedLicenses", "assignedPlans",
            "licenseAssignmentStates", "provisionedPlans", "onPremisesProvisioningErrors", "serviceProvisioningErrors", "groupTypes",
            "resourceBehaviorOptions", "resourceProvisioningOptions", "marketingNotificationEmails", "securityComplianceNotificationMails",
            "securityComplianceNotificationPhones", "technicalNotificationMails", "verifiedDomains", "subscriptionIds", "infoCatalogs",
        ].map { $0.lowercased() })
    static let extensionAttributeNames = (1...15).map { "extensionAttribute\($0)" }

    static func dictionary<T: Encodable>(_ value: T) -> [String: Any] {
        guard let data = try? StateJSON.encoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return [:]
        }
        return object
    }

    /// Only the named properties, in Graph's spelling, `null` (or `[]`) where the object has none.
    static func project(_ object: [String: Any], select: [String]?, defaults: [String]) -> [String: Any] {
        var byFoldedName: [String: String] = [:]
        for key in object.keys { byFoldedName[key.lowercased()] = key }
        var result: [String: Any] = [:]
        for name in select ?? defaults {
            let folded = name.lowercased()
            let key = byFoldedName[folded] ?? name
            if folded == "onpremisesextensionattributes" {
                // All fifteen keys, unset ones null (Q5).
                let present = object[key] as? [String: Any] ?? [:]
                result["onPremisesExtensionAttributes"] = Dictionary(uniqueKeysWithValues: extensionAttributeNames.map { ($0, present[$0] ?? NSNull()) })
                continue
            }
            // Graph never returns this one, even when selected; it is only for $filter (G1).
            if folded == "hasmemberswithlicenseerrors" { continue }
            result[key] = object[key] ?? (collections.contains(folded) ? [Any]() : NSNull())
        }
        return result
    }

    static func user(_ user: User, select: [String]?) -> [String: Any] {
        // Property by property where the model answers each one (the default set, most
        // `$select`s): writing and re-reading the whole user costs 0.1 ms, a page 100 ms.
        let names = select ?? userDefaults
        var direct: [String: Any] = [:]
        for name in names {
            guard let canonical = GraphResource.canonicalUserName[name.lowercased()], let value = user.graphProperty(canonical) ?? piece(of: user, canonical)
            else {
                direct.removeAll()
                break
            }
            direct[canonical] = GraphJSONWriter.any(value)
        }
        if direct.count == Set(names.map { $0.lowercased() }).count, !direct.isEmpty {
            if direct["businessPhones"] is NSNull { direct["businessPhones"] = [Any]() }
            return direct
        }
        var object = dictionary(user)
        object["securityIdentifier"] = object["securityIdentifier"] ?? securityIdentifier(user.id)
        return project(object, select: select, defaults: userDefaults)
    }

    /// The properties the model doesn't hand out one by one, written alone as the whole user
    /// would write them (the state's encoder: its dates).
    static func piece(of user: User, _ name: String) -> JSONValue? {
        let encoder = StateJSON.encoder()
        func written<T: Encodable>(_ value: T) -> JSONValue? { (try? encoder.encode(value)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } }
        switch name {
        case "licenseAssignmentStates": return written(user.licenseAssignmentStates)
        case "assignedPlans": return written(user.assignedPlans)
        case "employeeHireDate": return user.employeeHireDate.map { written($0) ?? .null } ?? .null
        default: return nil
        }
    }

    static func group(_ group: Group, select: [String]?, list: Bool = false) -> [String: Any] {
        var object = dictionary(group)
        // The state keeps members inline; Graph serves them at /groups/{id}/members.
        object["members"] = nil
        object["securityIdentifier"] = object["securityIdentifier"] ?? securityIdentifier(group.id)
        return project(object, select: select, defaults: list ? groupListDefaults : groupDefaults)
    }

    static func sku(_ sku: SubscribedSku, in tenant: Tenant) -> [String: Any] {
        var object = dictionary(sku)
        let tenantID = tenant.organization.id
        object["id"] = object["id"] ?? "\(tenantID)_\(sku.skuId)"
        object["accountId"] = object["accountId"] ?? tenantID
        // The tenant's name as commerce knows it: the first label of its initial domain.
        object["accountName"] =
            object["accountName"] ?? initialDomain(of: tenant).split(separator: ".").first.map(String.init) ?? tenant.organization.displayName
        object["subscriptionIds"] = object["subscriptionIds"] ?? [String]()
        return object
    }

    static func organization(_ tenant: Tenant) -> [String: Any] {
        var object = dictionary(tenant.organization)
        if object["verifiedDomains"] == nil {
            let initial = initialDomain(of: tenant)
            object["verifiedDomains"] = tenant.verifiedDomains.sorted().map { name -> [String: Any] in
                [
                    "capabilities": "Email, OfficeCommunicationsOnline", "isDefault": name == initial, "isInitial": name == initial, "name": name,
                    "type": "Managed",
                ]
            }
        }
        return project(object, select: nil, defaults: organizationDefaults)
    }

    /// The `*.onmicrosoft.com` domain where there is one, else the first domain.
    private static func initialDomain(of tenant: Tenant) -> String {
        let domains = tenant.verifiedDomains.sorted()
        return domains.first { $0.hasSuffix(".onmicrosoft.com") } ?? domains.first ?? ""
    }

    /// Graph's `securityIdentifier` of a cloud object: `S-1-12-1-` and the object id's sixteen
    /// bytes, in .NET's GUID byte order, read as four little-endian 32-bit numbers (the published
    /// example's group `21d05557-b7b6-418f-…` has `S-1-12-1-567301463-1099937718-…`).
    static func securityIdentifier(_ id: String) -> String? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        let b = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        // .NET stores the first three fields little-endian.
        let dotNet = [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8..<16]
        let words = stride(from: 0, to: 16, by: 4).map { (start: Int) -> UInt32 in
            (0..<4).reduce(UInt32(0)) { word, offset in word | UInt32(dotNet[start + offset]) << (8 * UInt32(offset)) }
        }
        return "S-1-12-1-" + words.map(String.init).joined(separator: "-")
    }
}
