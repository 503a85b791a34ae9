import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// `serve` as scripts that make and remove users, ask for properties, filter groups and write
/// from many threads at once see it.
@Suite("Graph endpoint: users made and removed, $select checked, groups filtered, writers at once", .serialized)
struct GraphServeDirectoryTests {
    typealias Server = GraphTestServer

    @Test(
        "POST /users makes a cloud user (201, Location) that dynamic groups pick up; Graph's refusals for a missing property, a foreign domain, a taken UPN; DELETE frees its seat"
    )
    func usersMadeAndRemoved() throws {
        let server = try Server()
        let body = #"""
            {"accountEnabled":true,"displayName":"Rehearsal Newhire","mailNickname":"rnewhire","userPrincipalName":"rehearsal.newhire@contoso.com",
             "passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"xWwvJ]6NMw+bWH-d"},
             "usageLocation":"US","department":"Retail","onPremisesExtensionAttributes":{"extensionAttribute10":"E3 All"}}
            """#
        let created = try server.post("/v1.0/users", body)
        #expect(created.status == 201, "\(created.json)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.headers["location"]?.hasSuffix("/v1.0/users/\(id)") == true)
        #expect((created.json["@odata.context"] as? String)?.hasSuffix("$metadata#users/$entity") == true)
        #expect(Set(created.json.keys) == Set(GraphDefaults.user + ["@odata.context"]), "the default property set, as Graph answers a POST")
        // Picked up by the dynamic group on extensionAttribute10, by the server itself.
        let deadline = Date().addingTimeInterval(20)
        var licensed = false
        while Date() < deadline, !licensed {
            let details = try server.get("/v1.0/users/\(id)/licenseDetails")
            licensed = (details.json["value"] as? [[String: Any]])?.contains { $0["skuId"] as? String == DemoTenant.e3SkuID } == true
            if !licensed { usleep(200_000) }
        }
        #expect(licensed, "E3 All gave the new user its licence")

        var missing = try server.post(
            "/v1.0/users", #"{"accountEnabled":true,"displayName":"No Password","mailNickname":"np","userPrincipalName":"np@contoso.com"}"#)
        #expect(missing.status == 400)
        #expect(missing.error == "Request_BadRequest")
        #expect(
            (missing.json["error"] as? [String: Any])?["message"] as? String == "Invalid value specified for property 'passwordProfile' of resource 'User'.")
        missing = try server.post("/v1.0/users", body.replacingOccurrences(of: "contoso.com", with: "fabrikam.example"))
        #expect(missing.status == 400)
        #expect(
            ((missing.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("The domain portion of the userPrincipalName property is invalid.")
                == true)
        missing = try server.post("/v1.0/users", body.replacingOccurrences(of: "rehearsal.newhire@", with: "REHEARSAL.NEWHIRE@"))
        #expect(missing.status == 400)
        #expect(
            (missing.json["error"] as? [String: Any])?["message"] as? String
                == "Another object with the same value for property userPrincipalName already exists.")
        missing = try server.post(
            "/v1.0/users",
            body.replacingOccurrences(of: #""department""#, with: #""favouriteColour""#).replacingOccurrences(of: "rehearsal.newhire", with: "n2"))
        #expect(missing.status == 400, "a property no one can set is refused, not dropped")

        let seatsBefore = try StateStore(directory: server.directory.path).loadTenant().sku(id: DemoTenant.e3SkuID)?.consumedUnits ?? 0
        let deleted = try server.get("/v1.0/users/\(id)", method: "DELETE")
        #expect(deleted.status == 204)
        #expect(try server.get("/v1.0/users/\(id)").status == 404)
        #expect(try server.get("/v1.0/users/\(id)", method: "DELETE").status == 404)
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == seatsBefore - 1, "the deleted user's seat is free again")
        #expect(!tenant.groups.contains { $0.members.contains(id) })
        let actions = try StateStore(directory: server.directory.path).audit().suffix(3).map(\.activity)
        #expect(actions.contains("Delete user"), "\(actions)")
    }

    @Test(
        "$select of a property Graph doesn't know is Graph's 400; a single-user property on the list is 501; one Graph knows but the model doesn't keep is null"
    )
    func selectIsChecked() throws {
        let server = try Server()
        let unknown = try server.get("/v1.0/users?$select=displayName,favouriteColour")
        #expect(unknown.status == 400)
        #expect(
            (unknown.json["error"] as? [String: Any])?["message"] as? String
                == "Parsing OData Select and Expand failed: Could not find a property named 'favouriteColour' on type 'microsoft.graph.user'.")
        #expect(try server.get("/v1.0/groups?$select=licenceProcessingState").status == 400, "the British spelling is a typo to Graph")
        #expect(try server.get("/v1.0/users?$select=aboutMe").status == 501)
        let one = try server.get("/v1.0/users/adele.vance@contoso.com?$select=aboutMe,signInActivity,usageLocation")
        #expect(one.status == 200)
        #expect(one.json["signInActivity"] is NSNull)
        #expect(one.json["usageLocation"] as? String != nil)
        #expect(one.json["id"] == nil, "id only when selected")
        let group = try server.get("/v1.0/groups/\(DemoTenant.e3AllGroupID)?$select=displayName,hasMembersWithLicenseErrors")
        #expect(group.status == 200)
        #expect(group.json["hasMembersWithLicenseErrors"] == nil, "Graph never returns it, selected or not")
    }

    @Test(
        "groups filter as scripts find trouble: hasMembersWithLicenseErrors eq true, startsWith(displayName), groupTypes/any(); If-Match is ignored and said so"
    )
    func groupsFiltered() throws {
        let server = try Server()
        func names(_ filter: String) throws -> [String] {
            let query = filter.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!.replacingOccurrences(of: "+", with: "%2B")
            let answer = try server.get("/v1.0/groups?$select=displayName&$filter=\(query)")
            #expect(answer.status == 200, "\(filter): \(answer.json)")
            return ((answer.json["value"] as? [[String: Any]]) ?? []).compactMap { $0["displayName"] as? String }.sorted()
        }
        #expect(try names("hasMembersWithLicenseErrors eq true").isEmpty, "the demo starts clean")
        #expect(try names("startsWith(displayName,'E3')") == [DemoTenant.e3All, DemoTenant.e3Selected])
        let dynamic = DemoTenant.make().groups.filter(\.isDynamic).map(\.displayName).sorted()
        #expect(try names("groupTypes/any(c:c eq 'DynamicMembership')") == dynamic)
        // Give E3 All more members than EMS has seats: members with errors, found by the filter.
        let accepted = try server.post(
            "/v1.0/groups/\(DemoTenant.e3AllGroupID)/assignLicense",
            #"{"addLicenses":[{"skuId":"\#(DemoTenant.emsSkuID)","disabledPlans":[]}],"removeLicenses":[]}"#)
        #expect(accepted.status == 202)
        let deadline = Date().addingTimeInterval(20)
        var troubled: [String] = []
        while Date() < deadline, troubled.isEmpty {
            troubled = try names("hasMembersWithLicenseErrors eq true")
            if troubled.isEmpty { usleep(200_000) }
        }
        #expect(troubled == [DemoTenant.e3All])
        // If-Match: Graph doesn't check it on directory objects; neither does this, and says so.
        let patched = try server.get(
            "/v1.0/users/adele.vance@contoso.com", method: "PATCH", body: Data(#"{"jobTitle":"Buyer"}"#.utf8),
            headers: ["If-Match": "W/\"stale\"", "Content-Type": "application/json"])
        #expect(patched.status == 204)
        #expect(patched.headers["x-licensedesk-ignored"]?.contains("If-Match") == true, "\(patched.headers)")
    }

    @Test(
        "eight scripts write at once through two servers on one state, beside the command line: every write lands once, in the journal and the audit, and the state stays sound"
    )
    func concurrentWriters() throws {
        let server = try Server()
        let second = try Server(sharing: server)
        let listed = try server.get("/v1.0/users?$select=id,userPrincipalName&$top=16")
        let upns = ((listed.json["value"] as? [[String: Any]]) ?? []).compactMap { $0["userPrincipalName"] as? String }
        try #require(upns.count == 16)
        let before = try StateStore(directory: server.directory.path).audit().count
        let writers = 8
        let rounds = 6
        nonisolated(unsafe) var statuses = [[Int]](repeating: [], count: writers)
        let cli = try RunningProcess(
            ["users", "set", upns[15], "department=Rehearsal", "--state", server.directory.path])
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for round in 0..<rounds {
                let upn = upns[writer]
                let body = #"{"jobTitle":"writer \#(writer) round \#(round)","onPremisesExtensionAttributes":{"extensionAttribute5":"r\#(round)"}}"#
                let target = writer.isMultiple(of: 2) ? server : second
                let status = (try? target.get("/v1.0/users/\(upn)", method: "PATCH", body: Data(body.utf8)).status) ?? -1
                statuses[writer].append(status)
            }
        }
        #expect(cli.wait() == 0, "\(cli.output)")
        #expect(statuses.allSatisfy { $0 == [Int](repeating: 204, count: rounds) }, "\(statuses)")
        for writer in 0..<writers {
            // Each server sees the other's writes (it reads the journal lines that are new).
            let user = try (writer.isMultiple(of: 2) ? second : server).get("/v1.0/users/\(upns[writer])?$select=jobTitle")
            #expect(user.json["jobTitle"] as? String == "writer \(writer) round \(rounds - 1)", "the last write of each writer stands")
        }
        #expect(try server.get("/v1.0/users/\(upns[15])?$select=department").json["department"] as? String == "Rehearsal")
        let store = StateStore(directory: server.directory.path)
        let audit = try store.audit()
        let patches = audit.dropFirst(before).filter { $0.actor.name != "Microsoft Azure AD Group-Based Licensing" && $0.activity == "Update user" }
        #expect(patches.count == writers * rounds + 1, "each write audited once: \(patches.count)")
        #expect(try BinaryRunner.run(["doctor", "--state", server.directory.path]).status == 0)
    }
}

/// Graph's default user properties (U1), as the tests expect them.
enum GraphDefaults {
    static let user = [
        "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname",
        "userPrincipalName",
    ]
}
