import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// What a hostile teammate and a careless script author found against `serve`, each kept as
/// the attack it was and the safe answer it now gets.
@Suite("Graph endpoint: attacks that once worked", .serialized)
struct GraphServeAttackRegressionTests {
    typealias Server = GraphTestServer

    @Test(
        "a $batch item whose body is a bare value or a string (JSON encoded twice) is refused; the server lives; nested $batch and an item's own Authorization are not taken"
    )
    func batchBodies() throws {
        let server = try Server(
            tokens: ["reader-token-0123456789": "rita", "writer-token-0123456789": "bob"],
            roles: #"{"users": {"rita": ["Global Reader"], "bob": ["Global Administrator"]}}"#)
        for body in ["42", "null", "true", #""{\"a\":1}""#] {
            let answer = try server.get(
                "/v1.0/$batch", token: "reader-token-0123456789", method: "POST",
                body: Data(
                    #"{"requests":[{"id":"1","method":"GET","url":"/users?$top=1","headers":{"Content-Type":"application/json"},"body":\#(body)}]}"#.utf8),
                headers: ["Content-Type": "application/json"])
            #expect(answer.status == 400, "body \(body): \(answer.json)")
        }
        #expect(try server.get("/v1.0/users?$top=1", token: "reader-token-0123456789").status == 200, "still serving")
        let nested = try server.post(
            "/v1.0/$batch", #"{"requests":[{"id":"1","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[]}}]}"#)
        #expect(nested.status == 400)
        // A reader can't borrow a writer's token inside the batch.
        let borrowed = try server.get(
            "/v1.0/$batch", token: "reader-token-0123456789", method: "POST",
            body: Data(
                #"{"requests":[{"id":"1","method":"PATCH","url":"/users/adele.vance@contoso.com","headers":{"Content-Type":"application/json","Authorization":"Bearer writer-token-0123456789"},"body":{"jobTitle":"x"}}]}"#
                    .utf8),
            headers: ["Content-Type": "application/json"])
        let item = ((borrowed.json["responses"] as? [[String: Any]]) ?? []).first
        #expect(item?["status"] as? Int == 403, "\(borrowed.json)")
    }

    @Test("the throttle counts per token, however Bearer and its spaces are spelt")
    func throttlePerToken() throws {
        let server = try Server(extra: ["--throttle", "reads=2/60"])
        #expect(try server.get("/v1.0/users?$top=1").status == 200)
        #expect(try server.get("/v1.0/users?$top=1").status == 200)
        for spelling in ["bearer \(server.token)", "BEARER \(server.token)", "Bearer  \(server.token)", "Bearer \(server.token) "] {
            let answer = try server.get("/v1.0/users?$top=1", token: "", headers: ["Authorization": spelling])
            #expect(answer.status == 429, "\(spelling): \(answer.status)")
        }
    }

    @Test("PATCH can't move a UPN out of the organization's domains or onto another's; usageLocation must be a country; ids in capitals are found")
    func userWrites() throws {
        let server = try Server()
        func patch(_ upn: String, _ body: String) throws -> GraphTestServer.Answer {
            try server.get("/v1.0/users/\(upn)", method: "PATCH", body: Data(body.utf8), headers: ["Content-Type": "application/json"])
        }
        #expect(try patch("adele.vance@contoso.com", #"{"userPrincipalName":"adele@evil.example"}"#).status == 400)
        #expect(try patch("adele.vance@contoso.com", #"{"userPrincipalName":"ALEX.WILBER@contoso.com"}"#).status == 400)
        #expect(try patch("adele.vance@contoso.com", #"{"userPrincipalName":"adele.v@contoso.com"}"#).status == 204)
        #expect(try patch("adele.v@contoso.com", #"{"usageLocation":"ZZ"}"#).status == 400)
        #expect(try patch("adele.v@contoso.com", #"{"usageLocation":"no"}"#).status == 204)
        let id = try #require(try server.get("/v1.0/users/adele.v@contoso.com?$select=id").json["id"] as? String)
        #expect(try server.get("/v1.0/users/\(id.uppercased())").status == 200)
        #expect(try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID.uppercased())").status == 200)
        // Collections answered whole refuse what would pick an item, rather than ignore it.
        #expect(try server.get("/v1.0/subscribedSkus?$filter=skuPartNumber%20eq%20'EMS'").status == 400)
        let selected = try server.get("/v1.0/subscribedSkus?$select=skuId")
        #expect(selected.status == 200 && selected.headers["x-licensedesk-ignored"]?.contains("$select") == true)
    }

    @Test("a License Administrator may set a usage location (and nothing else of a user); the server's own processing is audited as Entra's licensing service")
    func licenceAdministrator() throws {
        let server = try Server(tokens: ["alice-token-0123456789": "alice"], roles: #"{"users": {"alice": ["License Administrator"]}}"#)
        let set = try server.get(
            "/v1.0/users/adele.vance@contoso.com", method: "PATCH", body: Data(#"{"usageLocation":"DE"}"#.utf8), headers: ["Content-Type": "application/json"])
        #expect(set.status == 204, "\(set.json)")
        let title = try server.get(
            "/v1.0/users/adele.vance@contoso.com", method: "PATCH", body: Data(#"{"jobTitle":"x"}"#.utf8), headers: ["Content-Type": "application/json"])
        #expect(title.status == 403)
        let accepted = try server.post(
            "/v1.0/groups/\(DemoTenant.e3AllGroupID)/assignLicense",
            #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
        #expect(accepted.status == 202)
        let store = StateStore(directory: server.directory.path)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !(try store.load().tenant.pending.isEmpty) { usleep(200_000) }
        #expect(try store.audit().contains { $0.actor.name == "Microsoft Azure AD Group-Based Licensing" }, "the service, not the OS account serve runs as")
    }

    @Test("a script that deletes users as it pages sees every other user once: the next page starts after the last user it was given")
    func pagingThroughDeletes() throws {
        let server = try Server()
        let first = try server.get("/v1.0/users?$select=id,userPrincipalName&$top=5")
        let page = try #require(first.json["value"] as? [[String: Any]])
        let everyone = try StateStore(directory: server.directory.path).loadTenant().users.map(\.userPrincipalName)
        // Delete two users of the first page, then go on.
        for row in page.prefix(2) { #expect(try server.get("/v1.0/users/\(row["id"] as! String)", method: "DELETE").status == 204) }
        var seen = page.compactMap { $0["userPrincipalName"] as? String }
        var next = first.json["@odata.nextLink"] as? String
        while let link = next {
            let answer = try server.get(link, absolute: true)
            seen += ((answer.json["value"] as? [[String: Any]]) ?? []).compactMap { $0["userPrincipalName"] as? String }
            next = answer.json["@odata.nextLink"] as? String
        }
        #expect(seen == everyone, "no user skipped or repeated")
    }
}
