import Foundation
import LicenseModel
import TerminalKit

/// JSON shapes the commands print with `--json`, Graph's where Graph has one.
enum GraphJSON {
    /// A user as Graph returns it, plus memberOf (the groups' ids and names).
    static func user(_ user: User, in tenant: Tenant) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var value = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(user))
        if case .object(var fields) = value {
            fields["memberOf"] = .array(
                tenant.groups(of: user.id).map {
                    .object(["id": .string($0.id), "displayName": .string($0.displayName), "@odata.type": .string("#microsoft.graph.group")])
                })
            value = .object(fields)
        }
        return value
    }

    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value))
    }
}

/// Text helpers shared by the commands.
enum Describe {
    static func enabledCount(_ license: AssignedLicense, in tenant: Tenant) -> String {
        guard let sku = tenant.sku(id: license.skuId) else { return "\(license.skuId): unknown SKU" }
        return sku.enabledSummary(disabling: license.disabledPlans)
    }

    static func skuName(_ id: String, in tenant: Tenant) -> String { tenant.sku(id: id)?.skuPartNumber ?? id }

    static func pathSource(_ path: LicenseAssignmentState, in tenant: Tenant) -> String {
        guard let group = path.assignedByGroup else { return "direct" }
        return "via group \(tenant.group(id: group)?.displayName ?? group)"
    }

}

/// `prop=value` arguments; `null` (or nothing after =) clears.
enum Assignments {
    static func parse(_ items: [String]) throws -> [String: String?] {
        var values: [String: String?] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ModelError.invalidInput("\(item) is not prop=value")
            }
            let name = String(item[..<equals])
            let value = String(item[item.index(after: equals)...])
            values[name] = (value == "null" || value.isEmpty) ? String?.none : value
        }
        return values
    }
}
