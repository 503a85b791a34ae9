import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// Graph's alternate key for groups, as `export changes` and `push` use it: the upsert
/// `PATCH /groups(uniqueName='…')` with `Prefer: create-if-missing`, and everything addressed
/// under the key.
@Suite("Graph endpoint: groups by uniqueName, and the upsert a push makes", .serialized)
struct GraphServeUniqueNameTests {
    static let createBody =
        #"{"displayName":"EMS Pilot","mailEnabled":false,"mailNickname":"emspilot","securityEnabled":true,"groupTypes":[]}"#

    @Test(
        "the upsert makes the group once (201), then finds it (204, nothing changed); GET, members/$ref and assignLicense reach it by the key, encoded or not")
    func upsert() throws {
        let server = try GraphTestServer()
        let key = "/v1.0/groups(uniqueName='licensedesk-pilot')"
        let upsert = ["Content-Type": "application/json", "Prefer": "create-if-missing"]
        let made = try server.get(key, method: "PATCH", body: Data(Self.createBody.utf8), headers: upsert)
        #expect(made.status == 201, "\(made.json)")
        let id = try #require(made.json["id"] as? String)
        let journal = try StateStore(directory: server.directory.path).changes(after: 0).count
        let again = try server.get(key, method: "PATCH", body: Data(Self.createBody.utf8), headers: upsert)
        #expect(again.status == 204, "\(again.json)")
        #expect(try StateStore(directory: server.directory.path).changes(after: 0).count == journal, "an upsert that changes nothing journals nothing")
        let groups = try StateStore(directory: server.directory.path).loadTenant().groups.filter { $0.displayName == "EMS Pilot" }
        #expect(groups.count == 1)

        let found = try server.get(key + "?$select=id,uniqueName")
        #expect(found.status == 200 && found.json["id"] as? String == id)
        #expect(found.json["uniqueName"] as? String == "licensedesk-pilot", "kept as the key it was made by")
        let encoded = try server.get("/v1.0/groups%28uniqueName=%27licensedesk-pilot%27%29?$select=id")
        #expect(encoded.status == 200 && encoded.json["id"] as? String == id, "\(encoded.status) \(encoded.json)")
        let member = try server.post(key + "/members/$ref", #"{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/\#(DemoTenant.userID(1))"}"#)
        #expect(member.status == 204, "\(member.json)")
        let licence = try server.post(key + "/assignLicense", #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
        #expect(licence.status == 202, "\(licence.json)")
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        #expect(tenant.group(id: id)?.members == [DemoTenant.userID(1)])
        #expect(tenant.group(id: id)?.assignedLicenses.map(\.skuId) == [DemoTenant.emsSkuID])
        // Changing what the upsert may only repeat is refused, not dropped.
        let renamed = try server.get(
            key, method: "PATCH", body: Data(Self.createBody.replacingOccurrences(of: "EMS Pilot", with: "Other").utf8), headers: upsert)
        #expect(renamed.status == 400 && renamed.error == "Request_BadRequest")
    }

    @Test(
        "an unknown key is 404 after the token is checked (401 without one); PATCH without create-if-missing makes nothing; a taken name is refused; the internal header is not the caller's to send"
    )
    func refusals() throws {
        let server = try GraphTestServer()
        let unknown = try server.get("/v1.0/groups(uniqueName='nobody')")
        #expect(unknown.status == 404 && unknown.error == "Request_ResourceNotFound", "\(unknown.status) \(unknown.json)")
        let anonymous = try server.get("/v1.0/groups(uniqueName='nobody')", token: "")
        #expect(anonymous.status == 401, "whether a name exists is not told to a caller without a token")
        let plain = try server.get(
            "/v1.0/groups(uniqueName='nobody')", method: "PATCH", body: Data(Self.createBody.utf8), headers: ["Content-Type": "application/json"])
        #expect(plain.status == 404)
        #expect(try StateStore(directory: server.directory.path).loadTenant().groups.count == 2)

        let first = try server.post(
            "/v1.0/groups", Self.createBody.replacingOccurrences(of: #""groupTypes":[]"#, with: #""groupTypes":[],"uniqueName":"taken""#))
        #expect(first.status == 201, "\(first.json)")
        let firstID = try #require(first.json["id"] as? String)
        #expect(try server.get("/v1.0/groups/\(firstID)?$select=uniqueName").json["uniqueName"] as? String == "taken")
        let second = try server.post(
            "/v1.0/groups", Self.createBody.replacingOccurrences(of: #""groupTypes":[]"#, with: #""groupTypes":[],"uniqueName":"TAKEN""#))
        #expect(
            second.status == 400
                && (second.json["error"] as? [String: Any])?["message"] as? String
                    == "Another object with the same value for property uniqueName already exists."
        )

        let smuggled = try server.get(
            "/v1.0/groups", method: "POST", body: Data(Self.createBody.utf8),
            headers: ["Content-Type": "application/json", "x-licensedesk-upsert-unique-name": "taken"])
        #expect(smuggled.status == 201)
        let smuggledID = try #require(smuggled.json["id"] as? String)
        #expect(try server.get("/v1.0/groups/\(smuggledID)?$select=uniqueName").json["uniqueName"] is NSNull, "the header a caller sent was dropped")
    }

    @Test("in a $batch, the upsert and a member added under the key run like single requests")
    func inBatch() throws {
        let server = try GraphTestServer()
        let batch = #"""
            {"requests":[
              {"id":"1","method":"PATCH","url":"/groups(uniqueName='licensedesk-batch')","headers":{"Content-Type":"application/json","Prefer":"create-if-missing"},
               "body":\#(Self.createBody)},
              {"id":"2","method":"POST","url":"/groups(uniqueName='licensedesk-batch')/members/$ref","dependsOn":["1"],"headers":{"Content-Type":"application/json"},
               "body":{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/\#(DemoTenant.userID(2))"}}
            ]}
            """#
        let answer = try server.post("/v1.0/$batch", batch)
        let responses = try #require(answer.json["responses"] as? [[String: Any]])
        #expect(responses.map { $0["status"] as? Int } == [201, 204], "\(responses)")
        let group = try StateStore(directory: server.directory.path).loadTenant().groups.first { $0.uniqueName == "licensedesk-batch" }
        #expect(group?.members == [DemoTenant.userID(2)])
    }
}
