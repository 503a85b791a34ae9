import Foundation
import LicenseModel
import TestSupport
import Testing

/// Every endpoint's answer compared with the example Microsoft publishes for it in the Graph
/// API reference (the bodies are kept in GraphExamples/, with their sources in SOURCES.md):
/// the same properties, of the same JSON types, nested the same way. Values differ (another
/// tenant); where the example and this endpoint differ in shape on purpose, the difference is
/// named with its reason, and any other difference fails.
@Suite("Graph endpoint: answers shaped like Microsoft's published examples", .serialized)
struct GraphExampleShapeTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GraphExamples")

    static func example(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: examples.appendingPathComponent(name)))
    }

    /// `exact`: both ways, every property; `subset`: the example's properties are all here (the
    /// example was cut short by Microsoft, or shows only some).
    enum Mode { case exact, subset }

    /// What differs between Microsoft's example and an answer, as `missing path`, `extra path`
    /// or `type path: …`. `null` on either side matches any type (values of another tenant); of
    /// arrays, the first items are compared.
    static func differences(_ expected: Any, _ actual: Any, mode: Mode, path: String = "") -> [String] {
        switch (expected, actual) {
        case (is NSNull, _), (_, is NSNull): return []
        case (let expected as [String: Any], let actual as [String: Any]):
            var found: [String] = []
            for key in expected.keys.sorted() {
                guard let value = actual[key] else {
                    found.append("missing \(path)\(key)")
                    continue
                }
                found += differences(expected[key]!, value, mode: mode, path: "\(path)\(key).")
            }
            if mode == .exact { found += actual.keys.filter { expected[$0] == nil }.sorted().map { "extra \(path)\($0)" } }
            return found
        case (let expected as [Any], let actual as [Any]):
            guard let first = expected.first, let mine = actual.first else { return [] }
            return differences(first, mine, mode: mode, path: String(path.dropLast()) + "[].")
        default:
            let kinds = (kind(expected), kind(actual))
            return kinds.0 == kinds.1 ? [] : ["type \(path.dropLast()): \(kinds.0) in the example, \(kinds.1) here"]
        }
    }

    static func kind(_ value: Any) -> String {
        switch value {
        case is [String: Any]: return "object"
        case is [Any]: return "array"
        case is String: return "string"
        case let number as NSNumber: return String(cString: number.objCType) == "c" ? "boolean" : "number"
        default: return "\(type(of: value))"
        }
    }

    /// One comparison: the example file, what this endpoint answered, and the differences that
    /// are intended (each with its reason, in the test's source).
    func compare(_ file: String, _ answer: GraphTestServer.Answer, mode: Mode = .exact, status: Int, allowed: Set<String> = []) throws {
        #expect(answer.status == status, "\(file): \(answer.json)")
        let found = Set(Self.differences(try Self.example(file), answer.json, mode: mode))
        #expect(found.subtracting(allowed).isEmpty, "\(file): \(found.subtracting(allowed).sorted())")
        #expect(allowed.subtracting(found).isEmpty, "\(file): allowed but no longer differs, drop it: \(allowed.subtracting(found).sorted())")
    }

    @Test("users: list, select with a licence filter, get, get with $select, create, assignLicense, licenseDetails, memberOf")
    func users() throws {
        let server = try GraphTestServer()
        // The demo has more users than a page of 3: the example's tenant fit on one page.
        try compare("users-list.default.json", try server.get("/v1.0/users?$top=3"), status: 200, allowed: ["extra @odata.nextLink"])
        try compare(
            "users-list.select-licenses.json",
            try server.get("/v1.0/users?$select=id,mail,assignedLicenses&$filter=assignedLicenses/any(u:u/skuId%20eq%20\(DemoTenant.e3SkuID))"),
            status: 200, allowed: [])
        // Graph sends @odata.context on every answer; this one example of Microsoft's leaves it out.
        try compare("user-get.default.json", try server.get("/v1.0/users/adele.vance@contoso.com"), status: 200, allowed: ["extra @odata.context"])
        try compare(
            "user-get.select.json", try server.get("/v1.0/users/adele.vance@contoso.com?$select=displayName,givenName,postalCode,identities"),
            status: 200)
        try compare(
            "users-post.json",
            try server.post(
                "/v1.0/users",
                #"{"accountEnabled":true,"displayName":"Adele Vance","mailNickname":"AdeleV","userPrincipalName":"AdeleV2@contoso.com","passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"xWwvJ]6NMw+bWH-d"}}"#
            ), status: 201)
        // Microsoft's assignLicense example is placeholder text ("city-value") showing a few
        // selected-only properties; Graph answers with the user's default properties, as here.
        let assigned = try server.post(
            "/v1.0/users/adele.vance@contoso.com/assignLicense",
            #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
        try compare(
            "user-assignLicense.json", assigned, status: 200,
            allowed: [
                "missing accountEnabled", "missing assignedLicenses", "missing assignedPlans", "missing city", "missing companyName",
                "extra @odata.context", "extra displayName", "extra givenName", "extra id", "extra jobTitle", "extra mail", "extra mobilePhone",
                "extra officeLocation", "extra preferredLanguage", "extra surname", "extra userPrincipalName",
            ])
        try compare("user-licenseDetails.json", try server.get("/v1.0/users/adele.vance@contoso.com/licenseDetails"), status: 200)
        // The memberOf example shows three properties of each group (Microsoft cut it short).
        try compare("user-memberOf.json", try server.get("/v1.0/users/adele.vance@contoso.com/memberOf"), mode: .subset, status: 200)
    }

    @Test("groups: list, get, create, assignLicense (202), members")
    func groups() throws {
        let server = try GraphTestServer()
        try compare("groups-list.json", try server.get("/v1.0/groups"), status: 200)
        try compare("group-get.json", try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID)"), status: 200)
        // @odata.id names the object at Graph's internal v2 address; nothing here serves that.
        try compare(
            "groups-post.security.json",
            try server.post(
                "/v1.0/groups",
                #"{"description":"Group with designated owner and members","displayName":"Operations group","groupTypes":[],"mailEnabled":false,"mailNickname":"operations2019","securityEnabled":true}"#
            ), status: 201, allowed: ["missing @odata.id"])
        // Microsoft's 202 body shows four properties of the group (subset); this sends the group.
        for file in ["group-assignLicense.json", "group-assignLicense.remove.json"] {
            let accepted = try server.post(
                "/v1.0/groups/\(DemoTenant.e3SelectedGroupID)/assignLicense",
                file.contains("remove")
                    ? #"{"addLicenses":[],"removeLicenses":["\#(DemoTenant.emsSkuID)"]}"#
                    : #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
            try compare(file, accepted, mode: .subset, status: 202)
            #expect(accepted.headers["location"] != nil, "Graph's 202 names the group in a location header")
        }
        // The members example shows id and mail of each member (cut short by Microsoft).
        try compare("group-members.json", try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID)/members"), mode: .subset, status: 200)
    }

    @Test("subscribedSkus (list and one), organization, $batch, an error")
    func tenantAndEnvelopes() throws {
        let server = try GraphTestServer()
        try compare("subscribedSkus-list.json", try server.get("/v1.0/subscribedSkus"), status: 200)
        // accountId, accountName and subscriptionIds are in Microsoft's list example only; the
        // object is the same one, so it carries them here in both.
        try compare(
            "subscribedSku-get.json", try server.get("/v1.0/subscribedSkus/\(DemoTenant.organizationID)_\(DemoTenant.e3SkuID)"), status: 200,
            allowed: ["extra accountId", "extra accountName", "extra subscriptionIds"])
        try compare("organization.json", try server.get("/v1.0/organization"), status: 200)
        // The batch envelope: each response with id, status, headers and body.
        let batch = try server.post(
            "/v1.0/$batch",
            #"{"requests":[{"id":"1","method":"GET","url":"/users?$top=1&$select=id,displayName"},{"id":"2","method":"DELETE","url":"/groups/00000000-0000-4000-8000-00000000dead"}]}"#
        )
        #expect(batch.status == 200)
        let example = try #require((try Self.example("batch.json") as? [String: Any])?["responses"] as? [[String: Any]])
        let mine = try #require(batch.json["responses"] as? [[String: Any]])
        #expect(mine.count == 2)
        for response in mine {
            #expect(Set(response.keys) == Set(example[0].keys), "\(response)")
            #expect((response["headers"] as? [String: Any])?.keys.contains { $0.lowercased() == "content-type" } == true)
        }
        let failed = try #require(mine.first { $0["id"] as? String == "2" })
        // Graph's error body (errors.md); client-request-id rides along in innerError, as Graph's
        // own answers carry it (specs/graph.md §6).
        try compare("error.json", try server.get("/v1.0/users/nobody@contoso.com"), status: 404, allowed: ["extra error.innerError.client-request-id"])
        #expect(Self.differences(example[2]["body"]!, failed["body"]!, mode: .subset).isEmpty, "a batch item's error is Graph's error shape: \(failed)")
    }
}
