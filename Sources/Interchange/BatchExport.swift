import Foundation
import LicenseModel

/// A change plan as Microsoft Graph JSON batch request bodies (`POST /v1.0/$batch`), at most 20
/// requests each (Graph's limit). Within a batch each request depends on the one before, so
/// Graph runs them in order and stops at the first failure; run the batches one after another.
public enum BatchExport {
    public static let maximumRequests = 20

    public struct Request: Codable, Hashable, Sendable {
        public var id: String
        public var method: String
        public var url: String
        public var headers: [String: String]?
        public var body: JSONValue?
        public var dependsOn: [String]?
    }

    public struct Batch: Codable, Hashable, Sendable {
        public var requests: [Request]
        public init(requests: [Request]) { self.requests = requests }
    }

    public static func batches(_ plan: ChangePlan) -> [Batch] {
        let requests = plan.operations.flatMap { Self.requests(for: $0, plan: plan) }
        var batches: [Batch] = []
        for start in stride(from: 0, to: requests.count, by: maximumRequests) {
            var slice = Array(requests[start..<min(start + maximumRequests, requests.count)])
            for index in slice.indices {
                slice[index].id = String(index + 1)
                slice[index].dependsOn = index == 0 ? nil : [String(index)]
            }
            batches.append(Batch(requests: slice))
        }
        return batches
    }

    /// `/groups/{id}`, or `/groups(uniqueName='…')` for a group this export creates (its id in
    /// the live tenant is not known until Graph makes it).
    public static func groupPath(_ id: String, _ plan: ChangePlan) -> String {
        if let live = plan.livePaths[id] { return live }
        guard plan.newGroupIDs.contains(id) || plan.madeHere.contains(id) else { return "/groups/" + segment(id) }
        let name = ChangePlan.uniqueName(of: id).replacingOccurrences(of: "'", with: "''")
        return "/groups(uniqueName='" + segment(name) + "')"
    }

    /// One URL path segment: everything but RFC 3986's unreserved characters percent-encoded,
    /// so an id like `../../groups/x` stays one segment and can't walk the path.
    public static func segment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "."):
                // A segment of dots alone would be a path step; a dot inside an id is harmless.
                encoded += text.allSatisfy { $0 == "." } ? "%2E" : "."
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    static func licenses(_ add: [AssignedLicense], _ remove: [String]) -> JSONValue {
        .object([
            "addLicenses": .array(
                add.map { .object(["skuId": .string($0.skuId), "disabledPlans": .array($0.disabledPlans.map(JSONValue.string))]) }),
            "removeLicenses": .array(remove.map(JSONValue.string)),
        ])
    }

    public static func requests(for operation: ChangePlan.Operation, plan: ChangePlan) -> [Request] {
        let json = ["Content-Type": "application/json"]
        func request(_ method: String, _ url: String, _ body: JSONValue?, headers: [String: String]? = nil) -> Request {
            Request(id: "", method: method, url: url, headers: body == nil ? headers : (headers ?? [:]).merging(json) { a, _ in a }, body: body)
        }
        switch operation {
        case .createGroup(let group):
            var body: [String: JSONValue] = [
                "displayName": .string(group.displayName), "mailEnabled": .bool(false),
                "mailNickname": .string(PowerShellExport.mailNickname(group)), "securityEnabled": .bool(true),
                "groupTypes": .array(group.groupTypes.map(JSONValue.string)),
            ]
            if let description = group.description { body["description"] = .string(description) }
            if let rule = group.membershipRule {
                body["membershipRule"] = .string(rule)
                body["membershipRuleProcessingState"] = .string(group.membershipRuleProcessingState ?? "On")
            }
            return [request("PATCH", groupPath(group.id, plan), .object(body), headers: ["Prefer": "create-if-missing"])]
        case .updateGroup(let id, _, let rule, let state):
            var body: [String: JSONValue] = [:]
            body["membershipRule"] = rule.map(JSONValue.string) ?? .null
            if let state { body["membershipRuleProcessingState"] = .string(state) }
            return [request("PATCH", groupPath(id, plan), .object(body))]
        case .addMember(let group, _, let user, _):
            return [
                request(
                    "POST", groupPath(group, plan) + "/members/$ref",
                    .object(["@odata.id": .string("https://graph.microsoft.com/v1.0/directoryObjects/" + segment(user))]))
            ]
        case .removeMember(let group, _, let user, _):
            return [request("DELETE", groupPath(group, plan) + "/members/" + segment(user) + "/$ref", nil)]
        case .groupLicenses(let id, _, let add, let remove):
            return [request("POST", groupPath(id, plan) + "/assignLicense", licenses(add, remove))]
        case .updateUser(let id, _, let values):
            return [request("PATCH", "/users/" + segment(id), .object(UserProperties.body(values)))]
        case .userLicenses(let id, _, let add, let remove):
            return [request("POST", "/users/" + segment(id) + "/assignLicense", licenses(add, remove))]
        case .reprocessUser(let id, _):
            return [request("POST", "/users/" + segment(id) + "/reprocessLicenseAssignment", nil)]
        case .deleteGroup(let id, _):
            return [request("DELETE", groupPath(id, plan), nil)]
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
