import Foundation
import TestSupport
import Testing

@Suite("Import, export, reports and explain from the command line")
struct InterchangeCommandTests {
    func run(_ arguments: [String], state: TemporaryDirectory) throws -> BinaryRunner.Result {
        try BinaryRunner.run(arguments + ["--state", state.path])
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test("export graph of the demo, import graph --apply into an empty state: exporting both gives the same files")
    func roundTrip() throws {
        let demo = TemporaryDirectory(), empty = TemporaryDirectory(), exports = TemporaryDirectory()
        #expect(try run(["init"], state: demo).status == 0)
        #expect(try run(["init", "--empty"], state: empty).status == 0)
        let exported = try run(["export", "graph", exports.file("demo")], state: demo)
        #expect(exported.status == 0, "\(exported.standardError)")

        let dryRun = try run(["import", "graph", exports.file("demo")], state: empty)
        #expect(dryRun.status == 0)
        #expect(dryRun.standardOutput.contains("Would import 44 users, 2 groups, 2 SKUs, the organisation (44 new users, 0 replaced)"))
        #expect(dryRun.standardOutput.contains("Dry run: nothing saved"))
        #expect(try run(["status"], state: empty).standardOutput.contains("Users 0"))

        let applied = try run(["import", "graph", exports.file("demo"), "--apply"], state: empty)
        #expect(applied.status == 0, "\(applied.standardError)")
        #expect(try run(["export", "graph", exports.file("again")], state: empty).status == 0)
        for name in ["organization.json", "subscribedSkus.json", "users.json", "groups.json"] {
            #expect(contents(exports.file("demo/" + name)) == contents(exports.file("again/" + name)), "\(name) differs")
        }
        #expect(try run(["doctor"], state: empty).status == 0)
    }

    @Test("a malformed import saves nothing and exits 2 with file, line and column; --skip-bad saves the good records")
    func malformedSavesNothing() throws {
        let state = TemporaryDirectory(), inputs = TemporaryDirectory()
        #expect(try run(["init"], state: state).status == 0)
        let before = contents(state.file("users.json"))
        let broken = inputs.file("users.json")
        try
            "{\"value\": [\n  {\"id\": \"0000d001-0000-4000-8000-000000000001\", \"userPrincipalName\": \"n1@contoso.com\", \"displayName\": \"N1\"},\n  {\"id\": "
            .write(
                toFile: broken, atomically: true, encoding: .utf8)
        let refused = try run(["import", "graph", broken, "--apply"], state: state)
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("error: \(broken):3:"))
        #expect(refused.standardError.contains("nothing saved: 1 problem(s)"))
        #expect(contents(state.file("users.json")) == before)
        #expect(!FileManager.default.fileExists(atPath: state.file("journal.jsonl")) || contents(state.file("journal.jsonl"))?.isEmpty == true)

        let mixed = inputs.file("mixed.json")
        try """
        {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [
          {"id": "0000d001-0000-4000-8000-000000000001", "userPrincipalName": "n1@contoso.com", "displayName": "N1"},
          {"id": "0000d001-0000-4000-8000-000000000002", "userPrincipalName": 42, "displayName": "N2"}
        ]}
        """.write(toFile: mixed, atomically: true, encoding: .utf8)
        #expect(try run(["import", "graph", mixed, "--apply"], state: state).status == 2)
        let skipped = try run(["import", "graph", mixed, "--apply", "--skip-bad"], state: state)
        #expect(skipped.status == 0, "\(skipped.standardError)")
        #expect(skipped.standardError.contains("\(mixed) record 2: N2: userPrincipalName: expected a string"))
        #expect(skipped.standardOutput.contains("Imported 1 users, 0 groups, 0 SKUs (1 new users, 0 replaced) (1 bad record(s) left out)"))
        #expect(try run(["users", "show", "n1@contoso.com"], state: state).status == 0)
    }

    @Test("an LDIF export, then a sync cycle and processing: the imported user lands in the group its attribute names")
    func onPremisesToGroup() throws {
        let state = TemporaryDirectory(), inputs = TemporaryDirectory()
        #expect(try run(["init"], state: state).status == 0)
        let ldif = inputs.file("staff.ldf")
        try """
        dn: CN=Nina Park,OU=Staff,DC=contoso,DC=com
        objectClass: user
        sAMAccountName: ninap
        userPrincipalName: nina.park@contoso.com
        displayName: Nina Park
        usageLocation: US
        extensionAttribute10: E3 All

        """.write(toFile: ldif, atomically: true, encoding: .utf8)
        let imported = try run(["import", "onprem", ldif, "--apply"], state: state)
        #expect(imported.standardOutput.contains("Imported 1 on-premises users (1 new, 0 replaced)"), "\(imported.standardError)")
        #expect(try run(["sync"], state: state).status == 0)
        #expect(try run(["process"], state: state).status == 0)
        let explained = try run(["users", "explain", "nina.park@contoso.com", "EXCHANGE_S_ENTERPRISE"], state: state)
        #expect(explained.status == 0, "\(explained.standardError)")
        #expect(explained.standardOutput.contains("E3 All (dynamic): user.extensionAttribute10 -eq \"E3 All\""))
        #expect(explained.standardOutput.contains("from group E3 All: Active, applied"))
    }

    @Test("export changes reaches back past a compaction, as $batch files or a PowerShell script; a bad --since is refused")
    func changesAfterCompaction() throws {
        let state = TemporaryDirectory(), out = TemporaryDirectory()
        #expect(try run(["init"], state: state).status == 0)
        #expect(try run(["groups", "plan", "enable", "E3 with Selected Services", "ENTERPRISEPACK", "FORMS_PLAN_E3"], state: state).status == 0)
        #expect(try run(["compact"], state: state).status == 0)
        #expect(try run(["users", "license", "add", "adele.vance@contoso.com", "EMS"], state: state).status == 0)

        let script = try run(["export", "changes", "--since", "0", "--format", "powershell"], state: state)
        #expect(script.status == 0, "\(script.standardError)")
        #expect(script.standardOutput.contains("Set-MgGroupLicense -GroupId '9e3a1100-0000-4000-8000-0000000000a2'"))
        #expect(script.standardOutput.contains("Set-MgUserLicense -UserId "))
        // Since the first change: only the second.
        let later = try run(["export", "changes", "--since", "1", "--format", "powershell"], state: state)
        #expect(!later.standardOutput.contains("Set-MgGroupLicense") && later.standardOutput.contains("Set-MgUserLicense"))

        let written = try run(["export", "changes", "--since", "0", "--format", "batch", "--output", out.file("batches")], state: state)
        #expect(written.standardOutput.contains("Wrote 1 batches (2 requests)"))
        let batch = try JSONSerialization.jsonObject(with: try #require(contents(out.file("batches/batch-001.json")))) as? [String: Any]
        let requests = batch?["requests"] as? [[String: Any]]
        #expect(
            requests?.map { $0["url"] as? String } == [
                "/groups/9e3a1100-0000-4000-8000-0000000000a2/assignLicense", "/users/a11ce000-0000-4000-8000-000000000001/assignLicense",
            ])

        let bad = try run(["export", "changes", "--since", "yesterday", "--format", "batch"], state: state)
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("--since must be a journal position"))
    }

    @Test("reports and the licences CSV from the command line")
    func reports() throws {
        let state = TemporaryDirectory()
        #expect(try run(["init"], state: state).status == 0)
        let seats = try run(["report", "seats"], state: state)
        #expect(seats.standardOutput.contains("ENTERPRISEPACK  34 of 36 seats used"))
        let redundant = try run(["report", "redundant-direct"], state: state)
        #expect(redundant.standardOutput.contains("megan.bowen@contoso.com  ENTERPRISEPACK  also from group E3 with Selected Services: removing it loses Sway"))
        let json = try run(["report", "forecast", "--json"], state: state)
        #expect(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) is [String: Any])
        let csv = try run(["export", "licences-csv", "-"], state: state)
        #expect(csv.standardOutput.hasPrefix("userPrincipalName,displayName,skuPartNumber"))
        #expect(try run(["report", "nonsense"], state: state).status == 2)
    }
}
