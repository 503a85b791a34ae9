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
    /// A running `serve` on the demo tenant, its base address and token.
    final class Server {
        let directory = TemporaryDirectory()
        let process: RunningProcess
        let base: String
        let token: String

        init() throws {
            #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
            process = try RunningProcess(["serve", "--state", directory.path, "--listen", "127.0.0.1:0"])
            guard process.waitForLine(startingWith: "Token for", timeout: 30) else { throw POSIXError(.ETIMEDOUT) }
            let lines = process.output
            base = String(lines.first { $0.hasPrefix("Listening on ") }!.split(separator: " ")[2])
            token = String(lines.first { $0.hasPrefix("Token for") }!.split(separator: " ").last!)
        }

        deinit { process.kill() }

        struct Answer {
            var status: Int
            var headers: [String: String]
            var json: [String: Any]
            var error: String? { (json["error"] as? [String: Any])?["code"] as? String }
        }

        func get(_ path: String, token: String? = nil, headers: [String: String] = [:], absolute: Bool = false) throws -> Answer {
            var request = URLRequest(url: URL(string: absolute ? path : base + path)!)
            if let token = token ?? Optional(self.token), !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: (Data?, URLResponse?) = (nil, nil)
            URLSession.shared.dataTask(with: request) { data, response, _ in
                result = (data, response)
                done.signal()
            }.resume()
            _ = done.wait(timeout: .now() + 30)
            let http = try #require(result.1 as? HTTPURLResponse)
            let json = (try? JSONSerialization.jsonObject(with: result.0 ?? Data())) as? [String: Any] ?? [:]
            var fields: [String: String] = [:]
            for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
            return Answer(status: http.statusCode, headers: fields, json: json)
        }
    }

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
}
