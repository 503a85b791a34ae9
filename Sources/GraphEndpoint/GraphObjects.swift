import Foundation
import LicenseModel
import LicenseStore

/// The model's objects as Graph returns them: the state's Graph shape (the files are Graph
/// JSON), then Graph's rule for properties — a default set without `$select`, exactly the
/// selected ones with it (missing ones `null`; licensing properties come only when selected).
enum GraphObjects {
    static let userDefaults = [
        "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname",
        "userPrincipalName",
    ]
    static let groupDefaults = [
        "id", "displayName", "description", "groupTypes", "mail", "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState",
        "securityEnabled",
    ]
    static let extensionAttributeNames = (1...15).map { "extensionAttribute\($0)" }

    static func dictionary<T: Encodable>(_ value: T) -> [String: Any] {
        guard let data = try? StateJSON.encoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return [:]
        }
        return object
    }

    /// Only the named properties, in Graph's spelling, `null` where the object has none.
    static func project(_ object: [String: Any], select: [String]?, defaults: [String]) -> [String: Any] {
        var byFoldedName: [String: String] = [:]
        for key in object.keys { byFoldedName[key.lowercased()] = key }
        var result: [String: Any] = [:]
        for name in select ?? defaults {
            let key = byFoldedName[name.lowercased()] ?? name
            if name.lowercased() == "onpremisesextensionattributes" {
                // All fifteen keys, unset ones null (Q5).
                let present = object[key] as? [String: Any] ?? [:]
                result["onPremisesExtensionAttributes"] = Dictionary(uniqueKeysWithValues: extensionAttributeNames.map { ($0, present[$0] ?? NSNull()) })
                continue
            }
            if name.lowercased() == "businessphones" {
                result["businessPhones"] = object[key] ?? [String]()
                continue
            }
            result[key] = object[key] ?? NSNull()
        }
        return result
    }

    static func user(_ user: User, select: [String]?) -> [String: Any] {
        project(dictionary(user), select: select, defaults: userDefaults)
    }

    static func group(_ group: Group, select: [String]?) -> [String: Any] {
        var object = dictionary(group)
        // The state keeps members inline; Graph serves them at /groups/{id}/members.
        object["members"] = nil
        return project(object, select: select, defaults: groupDefaults)
    }

    static func sku(_ sku: SubscribedSku, tenantID: String) -> [String: Any] {
        var object = dictionary(sku)
        object["id"] = object["id"] ?? "\(tenantID)_\(sku.skuId)"
        return object
    }
}
