import Foundation
import LicenseModel
import MembershipRules

/// A user's properties by rule name, as values for Graph's `PATCH /users/{id}`.
public enum UserProperties {
    /// The property's value now, as text (nil when unset).
    static func value(of name: String, on user: User) -> String? {
        switch name.lowercased() {
        case "accountenabled": return user.accountEnabled.map { $0 ? "true" : "false" }
        case "userprincipalname": return user.userPrincipalName
        case "displayname": return user.displayName
        case "proxyaddresses": return user.proxyAddresses.joined(separator: ",")
        case "othermails": return user.otherMails.joined(separator: ",")
        case "employeehiredate": return user.employeeHireDate.map { ISO8601DateFormatter().string(from: $0) }
        default:
            guard let slot = StringSlot.slot(named: name) else { return nil }
            return user.strings[slot]
        }
    }

    /// The request body: Graph's property names, extensionAttribute1–15 inside
    /// onPremisesExtensionAttributes, booleans as booleans, lists as lists.
    public static func body(_ values: [String: String?]) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var extensions: [String: JSONValue] = [:]
        for (name, value) in values {
            let canonical = RulePropertyTable.property(named: name)?.name ?? name
            let json: JSONValue = value.map { JSONValue.string($0) } ?? .null
            if canonical.hasPrefix("extensionAttribute") {
                extensions[canonical] = json
            } else if canonical == "accountEnabled" {
                body[canonical] = value.map { .bool($0 == "true") } ?? .null
            } else if canonical == "proxyAddresses" || canonical == "otherMails" {
                body[canonical] = .array((value ?? "").split(separator: ",").map { .string(String($0)) })
            } else {
                body[canonical] = json
            }
        }
        if !extensions.isEmpty { body["onPremisesExtensionAttributes"] = .object(extensions) }
        return body
    }
}
