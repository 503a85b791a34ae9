import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// `licensedesk pull` against `licensedesk serve` as the live tenant.
@Suite("pull: a live tenant read over Graph", .serialized)
struct PullCommandTests {
    /// The tenant as the model holds it, object by object, in the terms a pull can carry
    /// (v1.0 has no membershipRuleProcessingStatus, and Graph's answers fill unmodelled
    /// properties with null).
    static func essence(_ tenant: Tenant) throws -> [String] {
        let encoder = StateJSON.encoder()
        let users = try tenant.users.sorted { $0.id < $1.id }.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let groups = tenant.groups.sorted { $0.id < $1.id }.map { group in
            "\(group.id) \(group.displayName) \(group.description ?? "-") \(group.groupTypes) \(group.membershipRule ?? "-") \(group.membershipRuleProcessingState ?? "-") \(group.assignedLicenses) \(String(describing: group.licenseProcessingState)) \(group.members.sorted())"
        }
        let skus = tenant.subscribedSkus.sorted { $0.skuId < $1.skuId }.map { sku in
            "\(sku.skuId) \(sku.skuPartNumber) \(sku.prepaidUnits.enabled) \(sku.consumedUnits) \(sku.servicePlans.map(\.servicePlanId))"
        }
        return users + groups + skus + ["\(tenant.organization.id) \(tenant.organization.displayName) \(tenant.organization.countryLetterCode)"]
    }

    func emptyState() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--empty", "--state", directory.path]).status == 0)
        return directory
    }

    @Test("pull from a served tenant into an empty state gives the same tenant; the dry run saves nothing; 429s with Retry-After are waited out")
    func sameTenant() throws {
        let server = try GraphTestServer(extra: ["--throttle", "reads=3/1"])
        let target = try emptyState()
        let work = TemporaryDirectory()
        let arguments = ["pull", "--state", target.path, "--graph-url", server.base + "/v1.0", "--token-command", "echo \(server.token)", "--work", work.path]
        let before = try StateStore(directory: target.path).load().sequence
        let dry = try BinaryRunner.run(arguments)
        #expect(dry.status == 0, "\(dry.standardError)")
        #expect(dry.standardError.contains("429 from the tenant"), "the throttle was met and waited out: \(dry.standardError)")
        #expect(dry.standardOutput.contains("Would import 44 users, 2 groups, 2 SKUs"), "\(dry.standardOutput)")
        #expect(try StateStore(directory: target.path).load().sequence == before, "a dry run saves nothing")
        let applied = try BinaryRunner.run(arguments + ["--apply"])
        #expect(applied.status == 0, "\(applied.standardError)")
        let pulled = try StateStore(directory: target.path).loadTenant()
        let served = try StateStore(directory: server.directory.path).loadTenant()
        #expect(try Self.essence(pulled) == Self.essence(served))
        #expect(!FileManager.default.fileExists(atPath: work.file("progress.json")), "the pages are gone once imported")
        // The tenant moves on; a second pull's dry run says what moved, property by property.
        #expect(try BinaryRunner.run(["users", "set", "adele.vance@contoso.com", "usageLocation=NO", "--state", server.directory.path]).status == 0)
        let refresh = try BinaryRunner.run(arguments)
        #expect(refresh.standardOutput.contains("Users: 0 new, 1 changed, 43 unchanged (usageLocation 1)"), "\(refresh.standardOutput)")
        #expect(refresh.standardOutput.contains(#"adele.vance@contoso.com: usageLocation "US" → "NO""#), "\(refresh.standardOutput)")
        #expect(!refresh.standardOutput.contains("Groups:"), "nothing changed in the groups: \(refresh.standardOutput)")
    }

    @Test("a pull killed while it waits out a long 429 goes on where it stopped: what was read is not asked for again")
    func resumes() throws {
        let tokens = ["pull-token-0123456789": "alice"]
        let server = try GraphTestServer(tokens: tokens, extra: ["--throttle", "reads=3/600"])
        let target = try emptyState()
        let work = TemporaryDirectory()
        let arguments = [
            "pull", "--state", target.path, "--graph-url", server.base + "/v1.0", "--token-command", "echo pull-token-0123456789", "--work", work.path,
            "--apply",
        ]
        let first = try RunningProcess(arguments)
        // Three reads pass (organization, subscribedSkus, the users page); the fourth waits 600 s.
        func users() -> [String: Any]? {
            let progress = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.file("progress.json"))))) as? [String: Any]
            return (progress?["steps"] as? [String: Any])?["users"] as? [String: Any]
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, users()?["done"] as? Bool != true { usleep(100_000) }
        #expect(users()?["done"] as? Bool == true)
        // A second pull into the same folder meanwhile is turned away, not mixed in.
        let second = try BinaryRunner.run(arguments)
        #expect(second.status == 2)
        #expect(second.standardError.contains("another pull is using this folder"), "\(second.standardError)")
        usleep(300_000)
        first.kill()
        _ = first.wait()
        #expect(try StateStore(directory: target.path).loadTenant().users.isEmpty, "nothing imported from a pull cut short")
        // The pages hold the tenant's users: the admin's alone.
        let page = try FileManager.default.attributesOfItem(atPath: work.file("import/users-00001.json"))
        #expect((page[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The same tenant at the same address, without the throttle: only the rest is read.
        let port = Int(server.base.split(separator: ":").last!)!
        server.process.kill()
        _ = server.process.wait()
        let again = try GraphTestServer(tokens: tokens, sharing: server, mergingErrors: true, port: port)
        let resumed = try BinaryRunner.run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("Resuming the pull"), "\(resumed.standardError)")
        let asked = again.process.output.filter { $0.hasPrefix("GET ") }
        // The organization again (it says the tenant is the same one), not the users.
        #expect(!asked.contains { $0.hasPrefix("GET /v1.0/users ") || $0.hasPrefix("GET /v1.0/subscribedSkus ") }, "\(asked)")
        #expect(asked.contains { $0.hasPrefix("GET /v1.0/organization ") }, "\(asked)")
        #expect(asked.contains { $0.hasPrefix("GET /v1.0/groups ") }, "\(asked)")
        #expect(try Self.essence(StateStore(directory: target.path).loadTenant()) == Self.essence(StateStore(directory: again.directory.path).loadTenant()))
    }

    @Test("a tenant that answers 503 and drops connections mid-page is read whole all the same")
    func faults() throws {
        let server = try GraphTestServer(mergingErrors: true, environment: ["LICENSEDESK_SERVE_FAULTS": "503every=3,dropevery=4"])
        let target = try emptyState()
        let work = TemporaryDirectory()
        let pulled = try BinaryRunner.run([
            "pull", "--state", target.path, "--graph-url", server.base + "/v1.0", "--token-command", "echo \(server.token)", "--work", work.path, "--apply",
        ])
        #expect(pulled.status == 0, "\(pulled.standardError)")
        #expect(pulled.standardError.contains("503 from the tenant"), "\(pulled.standardError)")
        #expect(pulled.standardError.contains("connection failed"), "\(pulled.standardError)")
        #expect(try Self.essence(StateStore(directory: target.path).loadTenant()) == Self.essence(StateStore(directory: server.directory.path).loadTenant()))
    }

    @Test(
        "a token command that fails, a token the tenant doesn't know, an unreachable tenant, a URL that isn't http: exit codes a script can read, and the message says what to do"
    )
    func failures() throws {
        let target = try emptyState()
        let work = TemporaryDirectory()
        func pull(_ url: String, _ command: String) throws -> BinaryRunner.Result {
            try BinaryRunner.run(["pull", "--state", target.path, "--graph-url", url, "--token-command", command, "--work", work.path])
        }
        let server = try GraphTestServer(tokens: ["good-token-0123456789": "rita"], roles: #"{"users": {"rita": ["Global Reader"]}}"#)
        let badToken = try pull(server.base + "/v1.0", "exit 3")
        #expect(badToken.status == 2)
        #expect(badToken.standardError.contains("--token-command exited with 3"), "\(badToken.standardError)")
        let unknown = try pull(server.base + "/v1.0", "echo not-a-token-of-this-tenant")
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("401"), "\(unknown.standardError)")
        let nobody = try pull("http://127.0.0.1:9/v1.0", "echo x")
        #expect(nobody.status == 2)
        #expect(nobody.standardError.contains("no answer"), "\(nobody.standardError)")
        #expect(try pull("ftp://example/v1.0", "echo x").status != 0)
        // --work never takes over (or empties) a folder of someone's files, nor the state.
        let mine = TemporaryDirectory()
        _ = mine.write("notes", to: "notes.txt")
        let server2 = try GraphTestServer()
        for folder in [mine.path, target.path] {
            let refused = try BinaryRunner.run([
                "pull", "--state", target.path, "--graph-url", server2.base + "/v1.0", "--token-command", "echo \(server2.token)", "--work", folder, "--apply",
            ])
            #expect(refused.status == 2, "\(refused.standardError)")
        }
        #expect(FileManager.default.fileExists(atPath: mine.file("notes.txt")))
        #expect(try BinaryRunner.run(["doctor", "--state", target.path]).status == 0)
        // Another tenant is never merged into a state that holds one.
        let demo = TemporaryDirectory()
        #expect(try BinaryRunner.run(["generate", "--state", demo.path, "--users", "30", "--groups", "2"]).status == 0)
        let foreign = try BinaryRunner.run([
            "pull", "--state", demo.path, "--graph-url", server2.base + "/v1.0", "--token-command", "echo \(server2.token)", "--work", work.path, "--apply",
        ])
        #expect(foreign.status == 2)
        #expect(foreign.standardError.contains("Pull into its own state"), "\(foreign.standardError)")
        #expect(try StateStore(directory: demo.path).loadTenant().users.count == 30)
    }
}
