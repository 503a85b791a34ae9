import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `licensedesk serve` over real HTTP: the binary listening on a free port, requests as a
/// script sends them.
@Suite("Graph endpoint: serve", .serialized)
struct GraphServeTests {
    typealias Server = GraphTestServer

    @Test("no token or a wrong one: 401 in Graph's shape with WWW-Authenticate and the request's ids")
    func unauthenticated() throws {
        let server = try Server()
        let none = try server.get("/v1.0/users", token: "")
        #expect(none.status == 401)
        #expect(none.error == "InvalidAuthenticationToken")
        #expect(none.headers["www-authenticate"] == "Bearer")
        let inner = (none.json["error"] as? [String: Any])?["innerError"] as? [String: Any]
        #expect(inner?["request-id"] as? String == none.headers["request-id"])
        let wrong = try server.get("/v1.0/users", token: "not-the-token-at-all")
        #expect(wrong.status == 401)
        // A caller nobody knows is turned away before the server reads what it sent.
        let unread = try server.get(
            "/v1.0/users/adele.vance@contoso.com/assignLicense", token: "", method: "POST", body: Data(String(repeating: " ", count: 2 << 20).utf8))
        #expect(unread.status == 401)
        // The token is printed once, at start (and in the example), and never again.
        #expect(server.process.output.filter { $0.contains(server.token) }.count == 2, "\(server.process.output)")
    }

    @Test("users page by $top with an absolute nextLink that carries every option; following it reaches every user once")
    func paging() throws {
        let server = try Server()
        var seen: [String] = []
        var next: String? = "/v1.0/users?$top=7&$select=id,displayName"
        var absolute = false
        while let link = next {
            let page = try server.get(link, absolute: absolute)
            #expect(page.status == 200)
            let value = try #require(page.json["value"] as? [[String: Any]])
            #expect(value.count <= 7)
            #expect(value.allSatisfy { Set($0.keys) == ["id", "displayName"] }, "only what $select names")
            seen += value.compactMap { $0["id"] as? String }
            next = page.json["@odata.nextLink"] as? String
            if let next { #expect(next.hasPrefix(server.base + "/v1.0/users?") && next.contains("$select=id,displayName")) }
            absolute = true
        }
        #expect(seen.count == 44)
        #expect(Set(seen).count == 44)
    }

    @Test("without $select the default properties come back, licensing ones only when selected; one user by UPN; 404 in Graph's shape")
    func properties() throws {
        let server = try Server()
        let megan = try server.get("/v1.0/users/megan.bowen@contoso.com")
        #expect(megan.status == 200)
        #expect(megan.json["userPrincipalName"] as? String == "megan.bowen@contoso.com")
        #expect(megan.json["assignedLicenses"] == nil)
        #expect(megan.json["businessPhones"] is [Any])
        #expect((megan.json["@odata.context"] as? String)?.hasSuffix("$metadata#users/$entity") == true)
        let selected = try server.get("/v1.0/users/megan.bowen@contoso.com?$select=assignedLicenses,licenseAssignmentStates,onPremisesExtensionAttributes")
        #expect((selected.json["assignedLicenses"] as? [Any])?.isEmpty == false)
        #expect((selected.json["onPremisesExtensionAttributes"] as? [String: Any])?.count == 15)
        #expect(selected.json["id"] == nil, "id too must be asked for")
        let missing = try server.get("/v1.0/users/nobody@contoso.com")
        #expect(missing.status == 404)
        #expect(missing.error == "Request_ResourceNotFound")
        let unknown = try server.get("/v1.0/nothingHere")
        #expect(unknown.status == 400)
        #expect(((unknown.json["error"] as? [String: Any])?["message"] as? String) == "Resource not found for the segment 'nothingHere'.")
    }

    @Test("$filter as Graph takes it: advanced operators need ConsistencyLevel and $count, which then counts; $top out of range is refused")
    func filters() throws {
        let server = try Server()
        let retail = DemoTenant.make().users.filter { $0.strings.all.contains { $0.value == "Retail" } }.count
        let eq = try server.get("/v1.0/users?$filter=department%20eq%20'Retail'&$select=id")
        #expect((eq.json["value"] as? [Any])?.count == retail)
        let refused = try server.get("/v1.0/users?$filter=department%20ne%20'Retail'")
        #expect(refused.status == 400)
        #expect(refused.error == "Request_UnsupportedQuery")
        let counted = try server.get("/v1.0/users?$filter=department%20ne%20'Retail'&$count=true&$top=1", headers: ["ConsistencyLevel": "eventual"])
        #expect(counted.json["@odata.count"] as? Int == 44 - retail)
        let ignored = try server.get("/v1.0/users?$count=true&$top=1")
        #expect(ignored.status == 200)
        #expect(ignored.json["@odata.count"] == nil, "Graph ignores $count=true without the header")
        #expect(ignored.headers["x-licensedesk-ignored"]?.contains("ConsistencyLevel") == true)
        #expect(try server.get("/v1.0/users?$top=1000").status == 400)
        let sku = DemoTenant.e3SkuID
        let e3 = try server.get("/v1.0/users?$filter=assignedLicenses/any(s:s/skuId%20eq%20\(sku))&$select=id&$top=999")
        #expect((e3.json["value"] as? [Any])?.count == DemoTenant.make().users.filter { $0.assignedLicenses.contains { $0.skuId == sku } }.count)
    }

    @Test("subscribedSkus, organization and groups answer in Graph's shape, under /v1.0 and /beta; a change on the command line shows at once")
    func directory() throws {
        let server = try Server()
        for version in ["v1.0", "beta"] {
            let skus = try server.get("/\(version)/subscribedSkus")
            #expect((skus.json["value"] as? [[String: Any]])?.contains { $0["skuPartNumber"] as? String == "ENTERPRISEPACK" } == true)
            #expect(((try server.get("/\(version)/organization")).json["value"] as? [[String: Any]])?.first?["displayName"] as? String == "Contoso Ltd")
        }
        let groups = try server.get("/v1.0/groups?$select=id,displayName,membershipRule")
        #expect((groups.json["value"] as? [[String: Any]])?.count == 2)
        #expect((groups.json["value"] as? [[String: Any]])?.allSatisfy { $0["members"] == nil } == true)
        #expect(try BinaryRunner.run(["skus", "set-seats", "--state", server.directory.path, "ENTERPRISEPACK", "40"]).status == 0)
        let after = try server.get("/v1.0/subscribedSkus")
        let e3 = (after.json["value"] as? [[String: Any]])?.first { $0["skuPartNumber"] as? String == "ENTERPRISEPACK" }
        #expect((e3?["prepaidUnits"] as? [String: Any])?["enabled"] as? Int == 40)
    }

    @Test("assignLicense on a user: a plan disabled, Entra's refusals word for word, both lists required; the audit names the token's admin")
    func assignUserLicense() throws {
        let server = try Server()
        let ems = DemoTenant.emsSkuID
        let plan = try #require(DemoTenant.make().sku(id: ems)?.servicePlans.first?.servicePlanId)
        let added = try server.post(
            "/v1.0/users/adele.vance@contoso.com/assignLicense", #"{"addLicenses":[{"skuId":"\#(ems)","disabledPlans":["\#(plan)"]}],"removeLicenses":[]}"#)
        #expect(added.status == 200, "\(added.json)")
        #expect(added.json["userPrincipalName"] as? String == "adele.vance@contoso.com")
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        let adele = try #require(tenant.users.first { $0.userPrincipalName == "adele.vance@contoso.com" })
        #expect(adele.assignedLicenses.first { $0.skuId == ems }?.disabledPlans == [plan])
        let audit = try StateStore(directory: server.directory.path).audit()
        #expect(audit.last?.actor.name == ActorIdentity.current().name, "the printed token is the OS user's own")
        let inherited = try server.post("/v1.0/users/adele.vance@contoso.com/assignLicense", #"{"addLicenses":[],"removeLicenses":["\#(DemoTenant.e3SkuID)"]}"#)
        #expect(inherited.status == 400)
        #expect(
            (inherited.json["error"] as? [String: Any])?["message"] as? String
                == "User license is inherited from a group membership and it cannot be removed directly from the user.")
        let half = try server.post("/v1.0/users/adele.vance@contoso.com/assignLicense", #"{"addLicenses":[]}"#)
        #expect(half.status == 400)
        #expect(((half.json["error"] as? [String: Any])?["message"] as? String)?.hasSuffix("The missing parameters are: removeLicenses.") == true)
        let unknown = try server.post(
            "/v1.0/users/adele.vance@contoso.com/assignLicense", #"{"addLicenses":[{"skuId":"00000000-0000-4000-8000-0000000000aa"}],"removeLicenses":[]}"#)
        #expect(((unknown.json["error"] as? [String: Any])?["message"] as? String)?.contains("does not correspond to a valid company License") == true)
        let huge = try server.post("/v1.0/users/adele.vance@contoso.com/assignLicense", String(repeating: " ", count: 2 << 20) + "{}")
        #expect(huge.status == 413)
        let garbage = try server.post("/v1.0/users/adele.vance@contoso.com/assignLicense", "{not json")
        #expect(garbage.status == 400)
    }

    @Test("assignLicense on a group answers 202; the server processes the queue by itself; members, licenseDetails and membersWithLicenseErrors follow")
    func assignGroupLicense() throws {
        let server = try Server()
        let ems = DemoTenant.emsSkuID
        let accepted = try server.post(
            "/v1.0/groups/\(DemoTenant.e3AllGroupID)/assignLicense", #"{"addLicenses":[{"skuId":"\#(ems)","disabledPlans":[]}],"removeLicenses":[]}"#)
        #expect(accepted.status == 202, "\(accepted.json)")
        // Processed in the background, as Entra does: EMS has 10 seats for 17 members.
        let deadline = Date().addingTimeInterval(20)
        var errored: [[String: Any]] = []
        while Date() < deadline {
            errored =
                (try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID)/membersWithLicenseErrors?$select=id,userPrincipalName").json["value"]
                    as? [[String: Any]]) ?? []
            if !errored.isEmpty { break }
            usleep(200_000)
        }
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        #expect(tenant.pending.isEmpty, "the server processed the queued work")
        let expected = tenant.users.filter { tenant.licenseError(of: $0, from: DemoTenant.e3AllGroupID) != nil }.count
        #expect(expected > 0)
        #expect(errored.count == expected)
        let members = try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID)/members?$select=id")
        #expect((members.json["value"] as? [[String: Any]])?.count == tenant.group(id: DemoTenant.e3AllGroupID)?.members.count)
        #expect((members.json["value"] as? [[String: Any]])?.first?["@odata.type"] as? String == "#microsoft.graph.user")
        let details = try server.get("/v1.0/users/adele.vance@contoso.com/licenseDetails")
        #expect((details.json["value"] as? [[String: Any]])?.contains { $0["skuPartNumber"] as? String == "ENTERPRISEPACK" } == true)
        let reprocessed = try server.post("/v1.0/users/adele.vance@contoso.com/reprocessLicenseAssignment", "{}")
        #expect(reprocessed.status == 200)
    }

    @Test("with a token file each token is its admin: the audit names them; a role that may not is refused 403 and nothing changes")
    func tokensAreAdmins() throws {
        let server = try Server(
            tokens: ["alice-token-0123456789": "alice", "rita-token-0123456789": "rita"],
            roles: #"{"users": {"alice": ["License Administrator"], "rita": ["Global Reader"]}}"#)
        let body = #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#
        let alice = try server.get(
            "/v1.0/users/adele.vance@contoso.com/assignLicense", token: "alice-token-0123456789", method: "POST", body: Data(body.utf8))
        #expect(alice.status == 200, "\(alice.json)")
        #expect(try StateStore(directory: server.directory.path).audit().last?.actor.name == "alice")
        let before = try StateStore(directory: server.directory.path).load().sequence
        let rita = try server.get(
            "/v1.0/users/alex.wilber@contoso.com/assignLicense", token: "rita-token-0123456789", method: "POST", body: Data(body.utf8))
        #expect(rita.status == 403)
        #expect(rita.error == "Authorization_RequestDenied")
        #expect(try StateStore(directory: server.directory.path).load().sequence == before)
        #expect(try server.get("/v1.0/users", token: "rita-token-0123456789").status == 200, "a Global Reader reads")
    }

    /// The virtual environment `make test` makes (scripts/install-test-dependencies).
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build-venv/bin/python").standardized.path
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GraphSDK/licensing_script.py").path

    @Test(
        "Microsoft's Python Graph SDK runs a licensing script against serve: paging, a disabled plan, a refusal, a group licence processed by itself into CountViolation, a reprocess; the CLI and the audit see it",
        .enabled(if: FileManager.default.isExecutableFile(atPath: python), "run `make test`: it installs msgraph-sdk into .build-venv"))
    func pythonSDK() throws {
        let server = try Server(tokens: ["alice-token-0123456789": "alice"])
        let run = try BinaryRunner.runProgram(Self.python, [Self.script, server.base, server.token, DemoTenant.e3AllGroupID])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let steps = run.standardOutput.split(separator: "\n").map { String($0.split(separator: " ").dropFirst().first ?? "") }
        #expect(steps == ["paged", "states", "assigned", "refused", "countViolation", "reprocessed"], "\(run.standardOutput)\n\(run.standardError)")
        // The same changes, as the command line and the audit log see them.
        let shown = try BinaryRunner.run(["users", "show", "adele.vance@contoso.com", "--state", server.directory.path])
        #expect(shown.standardOutput.contains("EMS"), "\(shown.standardOutput)")
        let audit = try StateStore(directory: server.directory.path).audit()
        #expect(audit.contains { $0.actor.name == "alice" && $0.activity == "Change user license" })
        #expect(audit.contains { $0.actor.name == "alice" && $0.activity == "Reprocess user license" })
    }

    @Test(
        "groups made, changed and deleted as scripts do: a dynamic group fills by itself and its licence reaches ProcessingComplete; members by $ref on static groups only"
    )
    func groupsLifecycle() throws {
        let server = try Server()
        let created = try server.post(
            "/v1.0/groups",
            #"{"displayName":"Retail E3","mailEnabled":false,"mailNickname":"retaile3","securityEnabled":true,"groupTypes":["DynamicMembership"],"membershipRule":"user.department -eq \"Retail\"","membershipRuleProcessingState":"On"}"#
        )
        #expect(created.status == 201, "\(created.json)")
        let id = try #require(created.json["id"] as? String)
        let retail = DemoTenant.make().users.filter { $0.strings.all.contains { $0.value == "Retail" } }.count
        let licensed = try server.post(
            "/v1.0/groups/\(id)/assignLicense", #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
        #expect(licensed.status == 202)
        #expect(licensed.json["displayName"] as? String == "Retail E3")
        // The server evaluates the rule and processes the licence by itself.
        var state = ""
        var members = 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let group = try server.get("/v1.0/groups/\(id)?$select=licenseProcessingState")
            state = ((group.json["licenseProcessingState"] as? [String: Any])?["state"] as? String) ?? ""
            members = ((try server.get("/v1.0/groups/\(id)/members?$select=id")).json["value"] as? [Any])?.count ?? 0
            if state == "ProcessingComplete" && members == retail { break }
            usleep(200_000)
        }
        #expect(members == retail)
        #expect(state == "ProcessingComplete")
        let patched = try server.get("/v1.0/groups/\(id)", method: "PATCH", body: Data(#"{"membershipRule":"user.department -eq \"Marketing\""}"#.utf8))
        #expect(patched.status == 204)
        let refusedDelete = try server.get("/v1.0/groups/\(id)", method: "DELETE")
        #expect(refusedDelete.status == 400, "a group with licences can't be deleted")
        let dynamicAdd = try server.post(
            "/v1.0/groups/\(id)/members/$ref", #"{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/\#(DemoTenant.userID(1))"}"#)
        #expect(dynamicAdd.status == 400)
        let plain = try server.post("/v1.0/groups", #"{"displayName":"Pilot","mailEnabled":false,"mailNickname":"pilot","securityEnabled":true}"#)
        let pilot = try #require(plain.json["id"] as? String)
        let reference = #"{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/\#(DemoTenant.userID(1))"}"#
        #expect(try server.post("/v1.0/groups/\(pilot)/members/$ref", reference).status == 204)
        #expect(try server.post("/v1.0/groups/\(pilot)/members/$ref", reference).status == 400, "already a member")
        #expect(try server.get("/v1.0/groups/\(pilot)/members/\(DemoTenant.userID(1))/$ref", method: "DELETE").status == 204)
        #expect(try server.get("/v1.0/groups/\(pilot)", method: "DELETE").status == 204)
        #expect(try server.get("/v1.0/groups/\(pilot)").status == 404)
        let missing = try server.post("/v1.0/groups", #"{"displayName":"No nickname","mailEnabled":false,"securityEnabled":true}"#)
        #expect(missing.status == 400)
    }

    @Test("$batch: each request answered on its own; a failed request's dependants get 424; malformed batches are refused whole")
    func batch() throws {
        let server = try Server()
        let ems = DemoTenant.emsSkuID
        // 1 fails (no such user), so 2, which depends on it, is 424; 3 reads on its own.
        let sequential = #"""
            {"requests":[
             {"id":"1","method":"POST","url":"/users/nobody@contoso.com/assignLicense","headers":{"Content-Type":"application/json"},"body":{"addLicenses":[{"skuId":"\#(ems)","disabledPlans":[]}],"removeLicenses":[]}},
             {"id":"2","method":"GET","url":"/users/nobody@contoso.com?$select=id","dependsOn":["1"]},
             {"id":"3","method":"GET","url":"/subscribedSkus","dependsOn":["2"]}]}
            """#
        let answer = try server.post("/v1.0/$batch", sequential)
        #expect(answer.status == 200, "\(answer.json)")
        let responses = try #require(answer.json["responses"] as? [[String: Any]])
        let statuses = Dictionary(uniqueKeysWithValues: responses.map { ($0["id"] as! String, $0["status"] as! Int) })
        #expect(statuses == ["1": 404, "2": 424, "3": 424])
        let parallel = #"""
            {"requests":[
             {"id":"a","method":"POST","url":"/users/adele.vance@contoso.com/assignLicense","headers":{"Content-Type":"application/json"},"body":{"addLicenses":[{"skuId":"\#(ems)","disabledPlans":[]}],"removeLicenses":[]}},
             {"id":"b","method":"GET","url":"users?$top=2&$select=id"}]}
            """#
        let both = try server.post("/v1.0/$batch", parallel)
        let items = try #require(both.json["responses"] as? [[String: Any]])
        #expect(Set(items.map { $0["status"] as? Int }) == [200])
        #expect(
            try StateStore(directory: server.directory.path).loadTenant().users.first { $0.userPrincipalName == "adele.vance@contoso.com" }?
                .assignedLicenses.contains { $0.skuId == ems } == true)
        let tooMany = "{\"requests\":[" + (1...21).map { #"{"id":"\#($0)","method":"GET","url":"/organization"}"# }.joined(separator: ",") + "]}"
        #expect(try server.post("/v1.0/$batch", tooMany).status == 400)
        let duplicate = #"{"requests":[{"id":"x","method":"GET","url":"/organization"},{"id":"X","method":"GET","url":"/organization"}]}"#
        #expect(try server.post("/v1.0/$batch", duplicate).status == 400)
        let partly =
            #"{"requests":[{"id":"1","method":"GET","url":"/organization"},{"id":"2","method":"GET","url":"/organization"},{"id":"3","method":"GET","url":"/organization","dependsOn":["1"]}]}"#
        let refused = try server.post("/v1.0/$batch", partly)
        #expect(refused.status == 400)
        #expect(((refused.json["error"] as? [String: Any])?["message"] as? String) == "Batch should be either fully sequential or fully parallel")
        let noType = #"{"requests":[{"id":"1","method":"POST","url":"/groups","body":{}}]}"#
        #expect(try server.post("/v1.0/$batch", noType).status == 400)
    }

    @Test("--throttle writes=2/30: the third write in the window is 429 with Retry-After and Graph's body; reads still pass; a bad budget is refused")
    func throttling() throws {
        let server = try Server(extra: ["--throttle", "writes=2/30"])
        let body = #"{"addLicenses":[],"removeLicenses":[]}"#
        #expect(try server.post("/v1.0/users/adele.vance@contoso.com/assignLicense", body).status == 200)
        #expect(try server.post("/v1.0/users/alex.wilber@contoso.com/assignLicense", body).status == 200)
        let third = try server.post("/v1.0/users/allan.deyoung@contoso.com/assignLicense", body)
        #expect(third.status == 429)
        #expect(third.error == "TooManyRequests")
        let wait = Int(third.headers["retry-after"] ?? "") ?? 0
        #expect((1...30).contains(wait), "\(third.headers)")
        #expect(third.headers["x-ms-throttle-information"] == "WriteLimitExceeded")
        #expect(try server.get("/v1.0/users?$top=1").status == 200, "reads have their own budget (none here)")
        let bad = try BinaryRunner.run(["serve", "--state", server.directory.path, "--listen", "127.0.0.1:0", "--throttle", "writes=lots"])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("--throttle takes writes=N/SECONDS"), "\(bad.standardError)")
    }

    @Test("PATCH a user's cloud attributes (204) and the dynamic groups follow by themselves; memberOf lists the groups; SIGTERM stops it cleanly")
    func patchUserAndStop() throws {
        let server = try Server()
        let moved = try server.get(
            "/v1.0/users/adele.vance@contoso.com", method: "PATCH",
            body: Data(#"{"usageLocation":"GB","onPremisesExtensionAttributes":{"extensionAttribute10":"E3 with Selected Services"}}"#.utf8))
        #expect(moved.status == 204, "\(moved.json)")
        let deadline = Date().addingTimeInterval(20)
        var groups: [String] = []
        while Date() < deadline {
            groups =
                ((try server.get("/v1.0/users/adele.vance@contoso.com/memberOf?$select=displayName")).json["value"] as? [[String: Any]])?
                .compactMap { $0["displayName"] as? String } ?? []
            if groups == ["E3 with Selected Services"] { break }
            usleep(200_000)
        }
        #expect(groups == ["E3 with Selected Services"], "the server evaluated the rules by itself")
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        #expect(tenant.users.first { $0.userPrincipalName == "adele.vance@contoso.com" }?.usageLocation == "GB")
        // The status of SIGTERM: a clean exit, nothing left half-written.
        #expect(server.process.terminate() == 0)
        #expect(try BinaryRunner.run(["doctor", "--state", server.directory.path]).status == 0)
    }
}
