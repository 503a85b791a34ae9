import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// `licensedesk reconcile` against `licensedesk serve` as a tenant with no group licensing at
/// all: the demo tenant's two groups stripped of their licences, the same rules and licences
/// held as licence policies in a state pulled from it.
@Suite("reconcile: licence policies applied to a served tenant as direct licences", .serialized)
struct ReconcileCommandTests {
    typealias Rehearsal = PushCommandTests.Rehearsal

    /// The served tenant without group licensing, and a state pulled from it that holds the
    /// policies and manages E3.
    static func setUp(_ server: GraphTestServer) throws -> Rehearsal {
        for group in [DemoTenant.e3All, DemoTenant.e3Selected] {
            let removed = try BinaryRunner.run(["groups", "license", "remove", group, "ENTERPRISEPACK", "--state", server.directory.path])
            #expect(removed.status == 0, "\(removed.standardError)")
        }
        #expect(try BinaryRunner.run(["process", "--state", server.directory.path]).status == 0)
        let rehearsal = try Rehearsal(from: server)
        let demo = DemoTenant.make()
        for id in [DemoTenant.e3AllGroupID, DemoTenant.e3SelectedGroupID] {
            let group = try #require(demo.group(id: id))
            try rehearsal.run(["groups", "create", group.displayName + " policy", "--rule", group.membershipRule!, "--policy"])
            let e3 = try #require(demo.sku(id: DemoTenant.e3SkuID))
            let off = group.assignedLicenses[0].disabledPlans.compactMap { id in e3.servicePlans.first { $0.servicePlanId == id }?.servicePlanName }
            try rehearsal.run(["groups", "license", "add", group.displayName + " policy", "ENTERPRISEPACK"] + off.flatMap { ["--disable", $0] })
        }
        try rehearsal.run(["reconcile", "scope", "--sku", "ENTERPRISEPACK"])
        return rehearsal
    }

    static func reconcile(_ rehearsal: Rehearsal, _ server: GraphTestServer, _ extra: [String] = [], environment: [String: String] = [:]) throws
        -> BinaryRunner.Result
    {
        try BinaryRunner.run(
            ["reconcile", "--state", rehearsal.path, "--graph-url", server.base + "/v1.0", "--token-command", "echo \(server.token)"] + extra,
            environment: environment)
    }

    /// Each served user's direct E3 disabled plans (nil: none).
    static func directE3(_ server: GraphTestServer) throws -> [String: [String]?] {
        let tenant = try StateStore(directory: server.directory.path).loadTenant()
        return Dictionary(
            uniqueKeysWithValues: tenant.users.map { user in
                (user.userPrincipalName, user.licenseAssignmentStates.first { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }?.disabledPlans.sorted())
            })
    }

    /// assignLicense requests the server ran, by user id.
    static func assignLicenseCalls(_ server: GraphTestServer) -> [String: Int] {
        var calls: [String: Int] = [:]
        for line in PushCommandTests.sentWrites(server) where line.hasSuffix("/assignLicense") {
            let parts = line.split(separator: "/")
            calls[String(parts[parts.count - 2]), default: 0] += 1
        }
        return calls
    }

    @Test(
        "after reconcile --apply every user's direct licences are what group-based licensing with the same rules gives; outside the scope nothing moves; an attribute change moves the licence on the next run"
    )
    func asGroupBasedLicensing() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Self.setUp(server)
        let before = try StateStore(directory: server.directory.path).loadTenant()

        let dry = try Self.reconcile(rehearsal, server)
        #expect(dry.status == 0, "\(dry.standardOutput)\n\(dry.standardError)")
        #expect(dry.standardOutput.contains("Dry run: nothing sent"))
        #expect(Self.assignLicenseCalls(server).isEmpty, "a dry run sends nothing")

        let applied = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(applied.status == 0, "\(applied.standardOutput)\n\(applied.standardError)")
        #expect(applied.standardOutput.contains("exit 0"), "one summary line: \(applied.standardOutput)")
        // The model's own group-based result for the same tenant: the demo with its groups licensed.
        let groupBased = DemoTenant.make()
        let served = try StateStore(directory: server.directory.path).loadTenant()
        for user in served.users {
            let old = try #require(before.user(id: user.id))
            let direct = user.licenseAssignmentStates.first { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }
            let hadDirect = old.licenseAssignmentStates.contains { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }
            if hadDirect {
                #expect(direct?.disabledPlans == old.licenseAssignmentStates.first { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }?.disabledPlans)
            } else {
                let expected = groupBased.user(id: user.id)?.assignedLicenses.first { $0.skuId == DemoTenant.e3SkuID }
                #expect(direct?.disabledPlans.sorted() == expected?.disabledPlans.sorted(), "\(user.userPrincipalName)")
            }
            // EMS is not managed: exactly as before.
            #expect(
                user.licenseAssignmentStates.filter { $0.skuId == DemoTenant.emsSkuID }
                    == old.licenseAssignmentStates.filter { $0.skuId == DemoTenant.emsSkuID })
        }
        let sent = Self.assignLicenseCalls(server)
        #expect(sent.values.allSatisfy { $0 == 1 }, "one call per changed user: \(sent)")
        #expect(applied.standardOutput.contains("Sent \(sent.count) of \(sent.count) call(s) in"), "\(applied.standardOutput)")
        // The plan is made from the tenant just pulled and writes disabled plans whole: no user
        // is read again before their call (push's disabled-plan merge read), one request each.
        let userReads = server.process.output.filter { $0.hasPrefix("GET /v1.0/users/") }
        #expect(userReads.isEmpty, "\(userReads.prefix(3))")

        // Nothing to do the second time.
        let again = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("0 call(s) planned"), "\(again.standardOutput)")

        // In the tenant, Adele moves from E3 All to E3 with Selected Services.
        let adele = try #require(served.user(upn: "adele.vance@contoso.com"))
        let patched = try server.get(
            "/v1.0/users/\(adele.id)", method: "PATCH", body: Data(#"{"extensionAttribute10":"E3 with Selected Services"}"#.utf8),
            headers: ["Content-Type": "application/json"])
        #expect(patched.status == 204)
        let moved = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(moved.status == 0, "\(moved.standardOutput)\n\(moved.standardError)")
        #expect(moved.standardOutput.contains("adele.vance@contoso.com: set plans of ENTERPRISEPACK (3 of 16 on)"), "\(moved.standardOutput)")
        #expect(try Self.directE3(server)["adele.vance@contoso.com"]??.count == 13)
        let history = try BinaryRunner.run(["reconcile", "history", "--state", rehearsal.path])
        #expect(history.standardOutput.split(separator: "\n").filter { $0.contains(" applied ") }.count == 3, "\(history.standardOutput)")
        let audit = try BinaryRunner.run(["audit", "--state", rehearsal.path])
        #expect(audit.standardOutput.contains("Reconcile licences"), "every run is audited")
    }

    @Test("the console shows the latest runs and the next plan (:report reconcile), and lists a policy as one")
    func console() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Self.setUp(server)
        #expect(try Self.reconcile(rehearsal, server, ["--apply"]).status == 0)
        // A broken rule: the next plan would remove, and the breaker would refuse it.
        try rehearsal.run(["groups", "set-rule", "E3 All policy", #"user.extensionAttribute10 -eq "E3 Al""#])
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(rehearsal.directory))
        #expect(try session.waitFor("q quit") != nil, "the console never drew")
        try session.sendKeys(":")
        try session.sendKeys("-l", "report reconcile")
        try session.sendKeys("Enter")
        #expect(try session.waitFor("Latest runs:") != nil, "\((try? session.capture()) ?? "")")
        #expect(try session.waitFor("applied  by") != nil, "\((try? session.capture()) ?? "")")
        #expect(try session.waitFor("Next plan, from the tenant as last pulled") != nil)
        #expect(try session.waitFor("the circuit breaker would refuse it") != nil, "\((try? session.capture()) ?? "")")
        try session.sendKeys("Escape", "q")
        #expect(session.waitForExit())
        let list = try BinaryRunner.run(["groups", "list", "--state", rehearsal.path])
        #expect(list.standardOutput.contains("E3 All policy\tpolicy"), "\(list.standardOutput)")
    }

    @Test("a rule broken on purpose trips the circuit breaker: exit 2, the policy named, nothing removed; --force sends")
    func circuitBreaker() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Self.setUp(server)
        #expect(try Self.reconcile(rehearsal, server, ["--apply"]).status == 0)
        let licensed = try Self.directE3(server)
        try rehearsal.run(["groups", "set-rule", "E3 All policy", #"user.extensionAttribute10 -eq "E3 Al""#])
        let tripped = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(tripped.status == 2, "\(tripped.standardOutput)\n\(tripped.standardError)")
        #expect(tripped.standardError.contains("circuit breaker") && tripped.standardError.contains("E3 All policy"), "\(tripped.standardError)")
        #expect(try Self.directE3(server) == licensed, "nothing removed")
        let history = try BinaryRunner.run(["reconcile", "history", "--state", rehearsal.path])
        #expect(history.standardOutput.contains(" refused "), "the refused run is on record: \(history.standardOutput)")
        let forced = try Self.reconcile(rehearsal, server, ["--apply", "--force"])
        #expect(forced.status == 0, "\(forced.standardOutput)\n\(forced.standardError)")
        #expect(try Self.directE3(server).values.compactMap { $0 }.count < licensed.values.compactMap { $0 }.count)
    }

    @Test("seats short: the users who find no seat are planned CountViolations and nothing is sent for them; exit 1")
    func seatsShort() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Self.setUp(server)
        #expect(try BinaryRunner.run(["skus", "set-seats", "ENTERPRISEPACK", "10", "--state", server.directory.path]).status == 0)
        let run = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(run.status == 1, "\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("Not sent, no seat"), "\(run.standardOutput)")
        let served = try StateStore(directory: server.directory.path).loadTenant()
        #expect(served.sku(id: DemoTenant.e3SkuID)?.consumedUnits == 10)
        #expect(served.users.allSatisfy { !$0.hasLicenseErrors }, "nothing was sent that the tenant refused")
        #expect(Self.assignLicenseCalls(server).count == 9, "one seat was in use: nine calls, no more")
    }

    @Test(
        "a run killed at every seventh durable step, and answers lost after their batch ran, resume without sending anything twice; the end is as group-based licensing gives"
    )
    func interruptedRuns() throws {
        let server = try GraphTestServer(mergingErrors: true, environment: ["LICENSEDESK_SERVE_FAULTS": "dropbatchevery=2"])
        let rehearsal = try Self.setUp(server)
        var step = 1
        var finished = false
        var crashes: [String] = []
        while !finished && step < 400 {
            let run = try Self.reconcile(
                rehearsal, server, ["--apply"], environment: ["LICENSEDESK_TEST_HOOKS": "1", "LICENSEDESK_CRASH_AT": String(step)])
            if let crash = run.standardError.split(separator: "\n").first(where: { $0.hasPrefix("crash point") }) {
                crashes.append(String(crash))
            } else {
                #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
                finished = true
            }
            step += 7
        }
        #expect(finished && crashes.count > 3)
        #expect(crashes.contains { $0.contains("reconcile-") }, "some kills fall while the calls are sent: \(crashes)")
        let last = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(last.status == 0 && last.standardOutput.contains("0 call(s) planned"), "\(last.standardOutput)\n\(last.standardError)")
        let sent = Self.assignLicenseCalls(server)
        #expect(sent.values.allSatisfy { $0 == 1 }, "no call sent twice: \(sent)")
        let groupBased = DemoTenant.make()
        let direct = try Self.directE3(server)
        for user in groupBased.users where !user.licenseAssignmentStates.contains(where: { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }) {
            let expected = user.assignedLicenses.first { $0.skuId == DemoTenant.e3SkuID }?.disabledPlans.sorted()
            #expect(direct[user.userPrincipalName] ?? nil == expected, "\(user.userPrincipalName)")
        }
    }

    @Test("no scope or no policy: exit 2 with why, nothing sent; the systemd units name the schedule and the run")
    func cannotRun() throws {
        let server = try GraphTestServer(mergingErrors: true)
        let rehearsal = try Rehearsal(from: server)
        let noScope = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(noScope.status == 2 && noScope.standardError.contains("no managed scope"), "\(noScope.standardError)")
        try rehearsal.run(["reconcile", "scope", "--sku", "ENTERPRISEPACK"])
        let noPolicy = try Self.reconcile(rehearsal, server, ["--apply"])
        #expect(noPolicy.status == 2 && noPolicy.standardError.contains("no licence policy"), "\(noPolicy.standardError)")
        let units = try BinaryRunner.run(["reconcile", "units", "--state", rehearsal.path, "--every", "30min", "--", "--graph-url", server.base + "/v1.0"])
        #expect(
            units.standardOutput.contains("OnUnitInactiveSec=30min") && units.standardOutput.contains("reconcile run --apply --state"),
            "\(units.standardOutput)")
        #expect(Self.assignLicenseCalls(server).isEmpty)
    }
}
