import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// `licensedesk push` against `licensedesk serve` as the live tenant: changes rehearsed in a
/// state pulled from it, applied, resumed, read back.
@Suite("push: rehearsed changes applied to a live tenant over Graph", .serialized)
struct PushCommandTests {
    /// A rehearsal: a state pulled from `server`, and the journal position it starts from.
    struct Rehearsal {
        let directory: TemporaryDirectory
        let baseline: Int
        var path: String { directory.path }

        init(from server: GraphTestServer) throws {
            directory = TemporaryDirectory()
            #expect(try BinaryRunner.run(["init", "--empty", "--state", directory.path]).status == 0)
            let pulled = try BinaryRunner.run([
                "pull", "--state", directory.path, "--graph-url", server.base + "/v1.0", "--token-command", "echo \(server.token)", "--apply",
            ])
            #expect(pulled.status == 0, "\(pulled.standardError)")
            baseline = try StateStore(directory: directory.path).load().sequence
        }

        /// A `licensedesk` command on the rehearsal, which must succeed.
        func run(_ arguments: [String]) throws {
            let result = try BinaryRunner.run(arguments + ["--state", path])
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }

        /// The walkthrough of a licence change: a static pilot group with two members and EMS,
        /// a plan off for E3 All, a rule widened, a direct licence; processed.
        func rehearseWalkthrough() throws {
            try run(["groups", "create", "EMS Pilot", "--static"])
            try run(["groups", "members", "add", "EMS Pilot", "adele.vance@contoso.com"])
            try run(["groups", "members", "add", "EMS Pilot", "alex.wilber@contoso.com"])
            try run(["groups", "license", "add", "EMS Pilot", "EMS"])
            try run(["groups", "plan", "disable", "E3 All", "ENTERPRISEPACK", "FORMS_PLAN_E3"])
            try run(["groups", "set-rule", "E3 with Selected Services", #"user.extensionAttribute10 -eq "E3 Selected" -or user.department -eq "Legal""#])
            try run(["users", "license", "add", "megan.bowen@contoso.com", "EMS"])
            try run(["process"])
        }
    }

    /// `push` of the rehearsal's changes after `since` (its baseline when nil) to `server`.
    static func push(_ rehearsal: Rehearsal, to server: GraphTestServer, since: Int? = nil, _ extra: [String] = ["--yes"]) throws -> BinaryRunner.Result {
        try BinaryRunner.run(
            [
                "push", "--state", rehearsal.path, "--since", String(since ?? rehearsal.baseline), "--graph-url", server.base + "/v1.0", "--token-command",
                "echo \(server.token)", "--settle", "20",
            ] + extra)
    }

    /// The tenant in the terms a push must make equal: names, rules, memberships, licences and
    /// their states, seats. Not times (each side processed on its own clock), and group ids
    /// through `liveIDs` (a group made by the push has the tenant's id, not the rehearsal's).
    static func essence(_ tenant: Tenant, liveIDs: [String: String] = [:]) -> [String] {
        let localID = Dictionary(uniqueKeysWithValues: liveIDs.map { ($0.value, $0.key) })
        func id(_ group: String?) -> String { group.map { localID[$0] ?? $0 } ?? "direct" }
        let users = tenant.users.sorted { $0.id < $1.id }.map { user in
            let states = user.licenseAssignmentStates.map { "\($0.skuId) \($0.disabledPlans) \(id($0.assignedByGroup)) \($0.state) \($0.error)" }.sorted()
            return "\(user.id) \(user.userPrincipalName) \(user.assignedLicenses) \(states)"
        }
        let groups = tenant.groups.map { group in
            "\(id(group.id)) \(group.displayName) \(group.groupTypes) \(group.membershipRule ?? "-") \(group.membershipRuleProcessingState ?? "-") \(group.assignedLicenses) \(group.members.sorted())"
        }.sorted()
        let skus = tenant.subscribedSkus.sorted { $0.skuId < $1.skuId }.map { "\($0.skuId) \($0.consumedUnits)" }
        return users + groups + skus
    }

    /// The push record as a resumed push reads it: the file, and the steps' outcomes appended
    /// to `<name>.steps.jsonl` since it was written (a later line wins).
    static func record(_ rehearsal: Rehearsal) throws -> [String: Any] {
        let folder = rehearsal.directory.file("pushes")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".json") })
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))) as? [String: Any])
        let log = folder + "/" + name.dropLast(5) + ".steps.jsonl"
        var steps = record["steps"] as? [[String: Any]] ?? []
        for line in ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n") {
            guard let step = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let number = step["number"] as? Int else { continue }
            if let index = steps.firstIndex(where: { $0["number"] as? Int == number }) { steps[index] = step }
        }
        record["steps"] = steps
        return record
    }

    static func liveIDs(_ rehearsal: Rehearsal) throws -> [String: String] {
        try record(rehearsal)["liveGroupIDs"] as? [String: String] ?? [:]
    }

    /// The writes that reached the server's routes, as "METHOD path" (its log, a line each),
    /// but for those it throttled: a step sent twice shows as a line too many.
    static func sentWrites(_ server: GraphTestServer) -> [String] {
        server.process.output.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 3, ["POST", "PATCH", "DELETE"].contains(parts[0]), let status = Int(parts[2]), status != 429 else { return nil }
            return parts[1].hasSuffix("/$batch") ? nil : "\(parts[0]) \(parts[1])"
        }
    }

    @Test(
        "push leaves the served tenant as rehearsed, read back with no difference; without --yes off a terminal nothing is sent; run again, nothing is sent twice"
    )
    func asRehearsed() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Rehearsal(from: server)
        try rehearsal.rehearseWalkthrough()
        let served = StateStore(directory: server.directory.path)
        let before = try served.load().sequence

        let unconfirmed = try Self.push(rehearsal, to: server, [])
        #expect(unconfirmed.status == 2)
        #expect(unconfirmed.standardError.contains("pass --yes"), "\(unconfirmed.standardError)")
        #expect(unconfirmed.standardOutput.contains("create group EMS Pilot (static)"), "the plan is shown first: \(unconfirmed.standardOutput)")
        #expect(try served.load().sequence == before, "nothing was sent")

        let pushed = try Self.push(rehearsal, to: server)
        #expect(pushed.status == 0, "\(pushed.standardOutput)\n\(pushed.standardError)")
        #expect(pushed.standardOutput.contains("Pushed 7 of 7 request(s); 0 refused, 0 not sent; 0 difference(s)"), "\(pushed.standardOutput)")
        #expect(pushed.standardOutput.contains("group E3 All: add ENTERPRISEPACK (1 plan(s) off)"), "\(pushed.standardOutput)")
        let liveIDs = try Self.liveIDs(rehearsal)
        let servedTenant = try served.loadTenant()
        let rehearsed = try StateStore(directory: rehearsal.path).loadTenant()
        #expect(Self.essence(servedTenant, liveIDs: liveIDs) == Self.essence(rehearsed))
        let pilot = try #require(servedTenant.groups.first { $0.displayName == "EMS Pilot" })
        #expect(pilot.uniqueName?.hasPrefix("licensedesk-") == true, "made by its uniqueName, so a later push finds it")
        let writes = Self.sentWrites(server)
        #expect(writes.count == 7, "\(writes)")

        let again = try Self.push(rehearsal, to: server)
        #expect(again.status == 0, "\(again.standardOutput)\n\(again.standardError)")
        #expect(again.standardOutput.contains("Resuming the push"), "\(again.standardOutput)")
        #expect(Self.sentWrites(server).count == 7, "nothing was sent twice")

        // Later changes to the group made by the first push reach it by its uniqueName.
        let later = try StateStore(directory: rehearsal.path).load().sequence
        try rehearsal.run(["groups", "members", "add", "EMS Pilot", "megan.bowen@contoso.com"])
        let next = try Self.push(rehearsal, to: server, since: later)
        #expect(next.status == 0, "\(next.standardOutput)\n\(next.standardError)")
        #expect(try served.loadTenant().group(id: pilot.id)?.members.count == 3)

        // And a delete of that group (its licence removed first) is sent to it, read back as done.
        let beforeDelete = try StateStore(directory: rehearsal.path).load().sequence
        try rehearsal.run(["groups", "license", "remove", "EMS Pilot", "EMS"])
        try rehearsal.run(["groups", "delete", "EMS Pilot"])
        let deleted = try Self.push(rehearsal, to: server, since: beforeDelete)
        #expect(deleted.status == 0, "\(deleted.standardOutput)\n\(deleted.standardError)")
        #expect(deleted.standardOutput.contains("0 difference(s)"), "\(deleted.standardOutput)")
        #expect(try served.loadTenant().group(id: pilot.id) == nil)
    }

    @Test(
        "through 429s (--throttle), 503s and a $batch whose answer is lost after it ran, every step is done once; disabled plans the tenant changed meanwhile are kept"
    )
    func throttledAndLost() throws {
        let server = try GraphTestServer(
            extra: ["--throttle", "writes=3/1"], mergingErrors: true, environment: ["LICENSEDESK_SERVE_FAULTS": "dropbatchevery=2,503every=5"])
        let rehearsal = try Rehearsal(from: server)
        try rehearsal.rehearseWalkthrough()
        // Meanwhile, in the tenant: Sway off for E3 All.
        #expect(try BinaryRunner.run(["groups", "plan", "disable", "E3 All", "ENTERPRISEPACK", "SWAY", "--state", server.directory.path]).status == 0)
        let pushed = try Self.push(rehearsal, to: server)
        #expect(pushed.status == 0, "\(pushed.standardOutput)\n\(pushed.standardError)")
        #expect(
            pushed.standardError.contains("throttled or unavailable; sending again") || pushed.standardError.contains("429 from the tenant"),
            "the throttle was met: \(pushed.standardError)")
        #expect(pushed.standardError.contains("reading the tenant to see what took"), "an answer was lost: \(pushed.standardError)")
        #expect(pushed.standardError.contains("503 from the tenant"), "a read met a 503 and went on: \(pushed.standardError)")
        #expect(pushed.standardOutput.contains("E3 All · ENTERPRISEPACK: kept off as the tenant has them"), "\(pushed.standardOutput)")
        let writes = Self.sentWrites(server)
        #expect(writes.count == 7, "a step was sent twice, or not at all: \(writes.sorted())")
        let e3All = try #require(try StateStore(directory: server.directory.path).loadTenant().group(id: DemoTenant.e3AllGroupID))
        let off = Set(e3All.assignedLicenses.first?.disabledPlans ?? [])
        let catalog = SKUCatalog.shared
        #expect(off == Set(["FORMS_PLAN_E3", "SWAY"].compactMap { catalog.plan(matching: $0)?.id }), "\(off)")
    }

    @Test("a push killed while the tenant throttles it resumes where it stopped: what was done is not sent again")
    func resumes() throws {
        let tokens = ["push-token-0123456789": "alice"]
        let server = try GraphTestServer(tokens: tokens, extra: ["--throttle", "writes=4/600"])
        let rehearsal = try Rehearsal(from: server)
        try rehearsal.rehearseWalkthrough()
        let arguments = [
            "push", "--state", rehearsal.path, "--since", String(rehearsal.baseline), "--graph-url", server.base + "/v1.0", "--token-command",
            "echo push-token-0123456789", "--yes", "--settle", "20",
        ]
        let first = try RunningProcess(arguments, mergingErrors: true)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !first.output.contains(where: { $0.contains("sending again in") }) { usleep(100_000) }
        #expect(first.output.contains { $0.contains("sending again in") }, "\(first.output)")
        // A second push of the same changes meanwhile is turned away, not run alongside.
        let second = try BinaryRunner.run(arguments)
        #expect(second.status == 2)
        #expect(second.standardError.contains("another push to this tenant is running"), "\(second.standardError)")
        first.kill()
        _ = first.wait()
        let record = try Self.record(rehearsal)
        let states = (record["steps"] as? [[String: Any]] ?? []).map { $0["state"] as? String ?? "" }
        let done = states.filter { $0 == "done" }.count
        #expect(done > 0 && done < states.count, "\(states)")

        let port = Int(server.base.split(separator: ":").last!)!
        server.process.kill()
        _ = server.process.wait()
        let again = try GraphTestServer(tokens: tokens, sharing: server, mergingErrors: true, port: port)
        let resumed = try BinaryRunner.run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardOutput)\n\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("Resuming the push"), "\(resumed.standardOutput)")
        #expect(Self.sentWrites(again).count == states.count - done, "only the steps not done were sent: \(Self.sentWrites(again))")
        let liveIDs = try Self.liveIDs(rehearsal)
        #expect(
            Self.essence(try StateStore(directory: again.directory.path).loadTenant(), liveIDs: liveIDs)
                == Self.essence(try StateStore(directory: rehearsal.path).loadTenant()))
    }

    @Test(
        "a member who is not in the tenant is refused and recorded, one made in LicenseDesk is not sent, the rest goes; run again, the refused step is tried again and nothing done is resent; a group id put in the record by hand is not followed"
    )
    func missingUsersAndTamperedRecord() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Rehearsal(from: server)
        try rehearsal.run(["groups", "create", "Pilot C", "--static"])
        try rehearsal.run(["groups", "members", "add", "Pilot C", "irvin.sayers@contoso.com"])
        try rehearsal.run(["groups", "members", "add", "Pilot C", "isaiah.langer@contoso.com"])
        try rehearsal.run(["users", "add", "newhire@contoso.com", "--display-name", "New Hire"])
        try rehearsal.run(["groups", "members", "add", "Pilot C", "newhire@contoso.com"])
        // Meanwhile Irvin leaves the tenant.
        let irvin = try StateStore(directory: server.directory.path).loadTenant().findUser("irvin.sayers@contoso.com")
        #expect(try server.get("/v1.0/users/\(irvin.id)", method: "DELETE").status == 204)
        let first = try Self.push(rehearsal, to: server)
        #expect(first.status == 1, "\(first.standardOutput)\n\(first.standardError)")
        let output = first.standardOutput
        #expect(output.contains("refused 2. add irvin.sayers@contoso.com to Pilot C: Request_ResourceNotFound"), "\(output)")
        #expect(output.contains("not sent 4. add newhire@contoso.com to Pilot C: not sent: the user was made in LicenseDesk"), "\(output)")
        #expect(output.contains("Pushed 2 of 4 request(s); 1 refused, 1 not sent"), "\(output)")
        let served = try StateStore(directory: server.directory.path).loadTenant()
        let pilot = try #require(served.groups.first { $0.displayName == "Pilot C" })
        #expect(pilot.members.count == 1)

        // A teammate points the record's group at another one; the push looks it up again.
        let decoy = try server.post("/v1.0/groups", #"{"displayName":"Decoy","mailEnabled":false,"mailNickname":"decoy","securityEnabled":true}"#)
        let decoyID = try #require(decoy.json["id"] as? String)
        let folder = rehearsal.directory.file("pushes")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".json") })
        let path = folder + "/" + name
        // …and marks Isaiah's add, done, as sent without an answer: on resume it is looked up,
        // in the group the push finds itself, and found done.
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var mapping = record["liveGroupIDs"] as? [String: String] ?? [:]
        for key in mapping.keys { mapping[key] = decoyID }
        record["liveGroupIDs"] = mapping
        record["steps"] = (record["steps"] as? [[String: Any]] ?? []).map { step in
            var step = step
            if step["number"] as? Int == 3 { step["state"] = "sending" }
            return step
        }
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
        let writes = Self.sentWrites(server).count
        let again = try Self.push(rehearsal, to: server)
        #expect(again.status == 1)
        #expect(again.standardOutput.contains("again     2. add irvin.sayers@contoso.com"), "the refused step is tried again: \(again.standardOutput)")
        #expect(Self.sentWrites(server).count == writes + 1, "only the refused step was sent again: \(Self.sentWrites(server))")
        let after = try StateStore(directory: server.directory.path).loadTenant()
        #expect(after.group(id: decoyID)?.members.isEmpty == true, "nothing went to the decoy")
    }

    @Test(
        "a step the tenant refuses is said with Graph's message, what depends on it is not sent, the read-back names the difference, exit 1; another tenant, a damaged record, a linked pushes folder: exit 2"
    )
    func refusalsAndGuards() throws {
        let server = try GraphTestServer()
        let rehearsal = try Rehearsal(from: server)
        try rehearsal.run(["groups", "create", "Pilot B", "--static"])
        try rehearsal.run(["groups", "members", "add", "Pilot B", "adele.vance@contoso.com"])
        try rehearsal.run(["users", "license", "add", "megan.bowen@contoso.com", "EMS"])
        // Meanwhile in the tenant: another group took the new group's uniqueName, and the EMS
        // seats are all taken.
        let made = try #require(try StateStore(directory: rehearsal.path).loadTenant().groups.first { $0.displayName == "Pilot B" })
        let squatter = try server.post(
            "/v1.0/groups",
            #"{"displayName":"Someone else's","mailEnabled":false,"mailNickname":"x","securityEnabled":true,"uniqueName":"\#(made.uniqueName ?? "")"}"#)
        #expect(squatter.status == 201, "\(squatter.json)")
        #expect(try BinaryRunner.run(["skus", "set-seats", "EMS", "4", "--state", server.directory.path]).status == 0)
        let refused = try Self.push(rehearsal, to: server)
        #expect(refused.status == 1, "\(refused.standardOutput)\n\(refused.standardError)")
        let output = refused.standardOutput
        #expect(output.contains("refused 1. create group Pilot B (static): Request_BadRequest: Updating 'displayName'"), "\(output)")
        #expect(output.contains("not sent 2. add adele.vance@contoso.com to Pilot B: not sent: step 1"), "\(output)")
        #expect(output.contains("refused 3. user megan.bowen@contoso.com: add EMS: Request_BadRequest: Not enough licenses"), "Graph's own words: \(output)")
        #expect(output.contains("differs: step 3 (user megan.bowen@contoso.com: add EMS): the tenant shows EMS is not assigned"), "\(output)")
        #expect(output.contains("Pushed 0 of 3 request(s); 2 refused, 1 not sent"), "\(output)")
        #expect(try StateStore(directory: server.directory.path).loadTenant().groups.first { $0.displayName == "Someone else's" }?.members.isEmpty == true)

        // The record damaged: refused by path, nothing sent.
        let folder = rehearsal.directory.file("pushes")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".json") })
        try Data("{\"format\":".utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
        let damaged = try Self.push(rehearsal, to: server)
        #expect(damaged.status == 2)
        #expect(damaged.standardError.contains(folder + "/" + name) && damaged.standardError.contains("not a push record"), "\(damaged.standardError)")

        // The folder replaced by a link elsewhere: refused, nothing written there.
        let elsewhere = TemporaryDirectory()
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: elsewhere.path)
        let linked = try Self.push(rehearsal, to: server)
        #expect(linked.status == 2, "\(linked.standardError)")
        #expect(linked.standardError.contains("symbolic link") || linked.standardError.contains("not the folder push keeps"), "\(linked.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)

        // Where the token would go in clear, or carry a password: refused before anything is sent.
        for (url, words) in [
            ("http://192.0.2.1/v1.0", "must be https"), ("https://admin:hunter2@graph.example.com/v1.0", "must not carry a user or password"),
            (server.base + "/v1.0?x=1", "without ?query"),
        ] {
            let refused = try BinaryRunner.run([
                "push", "--state", rehearsal.path, "--since", String(rehearsal.baseline), "--graph-url", url, "--token-command", "echo t", "--yes",
            ])
            #expect(refused.status == 2 && refused.standardError.contains(words), "\(url): \(refused.standardError)")
            #expect(!refused.standardError.contains("hunter2"))
        }
        let past = try BinaryRunner.run([
            "push", "--state", rehearsal.path, "--since", "999", "--graph-url", server.base + "/v1.0", "--token-command", "echo t", "--yes",
        ])
        #expect(past.status == 2 && past.standardError.contains("past the end of the journal"), "a typo is not \"nothing to push\": \(past.standardError)")

        // Another tenant's state: refused before anything is sent.
        let other = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--empty", "--state", other.path]).status == 0)
        let start = try StateStore(directory: other.path).load().sequence
        #expect(try BinaryRunner.run(["groups", "create", "Elsewhere", "--static", "--state", other.path]).status == 0)
        let foreign = try BinaryRunner.run([
            "push", "--state", other.path, "--since", String(start), "--graph-url", server.base + "/v1.0", "--token-command", "echo \(server.token)", "--yes",
        ])
        #expect(foreign.status == 2)
        #expect(foreign.standardError.contains("serves tenant Contoso Ltd"), "\(foreign.standardError)")
        #expect(try StateStore(directory: server.directory.path).loadTenant().groups.allSatisfy { $0.displayName != "Elsewhere" })
    }
}
