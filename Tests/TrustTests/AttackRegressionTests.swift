import Foundation
import LicenseStore
import TestSupport
import Testing

/// Cases a hostile teammate found after the first round of fixes, each kept as a test.
@Suite("Trust: attacks found by trying, kept as tests", .serialized)
struct AttackRegressionTests {
    /// Four journaled changes on the demo tenant.
    func journaled() throws -> TrustState {
        let state = try TrustState()
        for number in 1...4 {
            #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=J\(number)"]).status == 0)
        }
        return state
    }

    @Test(
        "a stray compaction.json never makes recovery drop committed changes; readers go on, writers are told",
        arguments: ["{\"sequence\": 2}", "{\"sequence\": 999}", "garbage"])
    func strayCompactionMarker(marker: String) throws {
        let state = try journaled()
        let me = ActorIdentity.current().name
        try "{\"users\": {\"\(me)\": [\"Global Reader\"]}}".write(toFile: state.file(StateFileName.roles), atomically: true, encoding: .utf8)
        try marker.write(toFile: state.file(StateFileName.compaction), atomically: true, encoding: .utf8)
        let journal = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
        let shown = try state.run(["users", "show", "adele.vance@contoso.com", "--json"])
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("J4"))
        #expect(try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8) == journal, "the journal was cut")
        unlink(state.file(StateFileName.roles))
        let change = try state.run(["users", "set", "alex.wilber@contoso.com", "department=X"])
        #expect(change.status == 2)
        #expect(change.standardError.contains("compaction.json"), "\(change.standardError)")
        #expect(try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8) == journal)
    }

    @Test("a snapshot file missing beside a stray compaction.json is still damage, and doctor lists the files")
    func damageBehindMarker() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.users))
        try "garbage".write(toFile: state.file(StateFileName.compaction), atomically: true, encoding: .utf8)
        let status = try state.run(["status"])
        #expect(status.status == 2)
        #expect(status.standardError.contains("damaged") && status.standardError.contains("users.json is missing"), "\(status.standardError)")
        #expect(try state.run(["doctor"]).standardOutput.contains("✗ users.json: missing"))
    }

    @Test("a FIFO or a link at state.lock is refused by name at once, not waited on", arguments: ["fifo", "link"])
    func oddLockFile(kind: String) throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.lock))
        if kind == "fifo" { mkfifo(state.file(StateFileName.lock), 0o660) } else { symlink("/tmp", state.file(StateFileName.lock)) }
        let change = try BinaryRunner.runProgram(
            "/usr/bin/timeout", ["20", BinaryRunner.binaryPath, "users", "set", "adele.vance@contoso.com", "department=X", "--state", state.path])
        #expect(change.status == 2, "exit \(change.status) (124 is a hang)")
        #expect(change.standardError.contains("state.lock"), "\(change.standardError)")
    }

    @Test("a history/ folder that is a link is never written or read through")
    func historyLink() throws {
        let state = try journaled()
        let elsewhere = TemporaryDirectory("licensedesk-elsewhere")
        #expect(symlink(elsewhere.path, state.file("history")) == 0)
        let compact = try state.run(["compact"])
        #expect(compact.status != 0)
        #expect(compact.standardError.contains("history"), "\(compact.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty, "the journal was written through the link")
        let export = try state.run(["export", "changes", "--since", "0", "--format", "batch"])
        #expect(export.status != 0)
    }

    @Test("an entry without a checksum after checksummed ones is refused (an edited line passed as format 1)")
    func formatOneAfterTwo() throws {
        let state = try journaled()
        var lines = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8).split(separator: "\n").map(String.init)
        let body = String(lines[3][lines[3].range(of: "\"entry\":")!.upperBound...].dropLast())
        lines[3] = body.replacingOccurrences(of: "J4", with: "FORGED")
        try (lines.joined(separator: "\n") + "\n").write(toFile: state.file(StateFileName.journal), atomically: false, encoding: .utf8)
        let shown = try state.run(["users", "show", "adele.vance@contoso.com", "--json"])
        #expect(shown.status == 2)
        #expect(!shown.standardOutput.contains("FORGED"))
        #expect(shown.standardError.contains("journal.jsonl:4"), "\(shown.standardError)")
    }

    @Test("two groups with one id in groups.json: refused by name, so no edit lands on the wrong one")
    func duplicateGroupIDs() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.cache))
        var groups = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state.file(StateFileName.groups)))) as! [String: Any]
        var value = groups["value"] as! [[String: Any]]
        var copy = value[0]
        copy["displayName"] = "Copy"
        value.append(copy)
        groups["value"] = value
        try JSONSerialization.data(withJSONObject: groups).write(to: URL(fileURLWithPath: state.file(StateFileName.groups)))
        let result = try state.run(["groups", "set-rule", "Copy", #"user.department -eq "x""#])
        #expect(result.status == 2)
        #expect(result.standardError.contains("groups.json") && result.standardError.contains("more than one record"), "\(result.standardError)")
    }

    @Test("an imported rule nested deeper than the parser reads is refused on import")
    func deepImportedRule() throws {
        let state = try TrustState()
        let rule = String(repeating: "(", count: 150) + #"user.department -eq \"x\""# + String(repeating: ")", count: 150)
        let folder = TemporaryDirectory()
        let file = folder.write(
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#groups\", \"value\": [{\"id\": \"0000e005-0000-4000-8000-000000000001\", \"displayName\": \"Deep\", \"groupTypes\": [\"DynamicMembership\"], \"membershipRule\": \"\(rule)\"}]}",
            to: "groups.json")
        let result = try state.run(["import", "graph", file, "--apply"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("nested 150 levels"), "\(result.standardError)")
    }

    @Test("doctor finds values no command would store: an unsafe id, a bad UPN, a display name too long")
    func doctorFindsBadValues() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.cache))
        let users = try String(contentsOfFile: state.file(StateFileName.users), encoding: .utf8)
        let edited = users.replacingOccurrences(of: "\"adele.vance@contoso.com\"", with: "\"no-at-sign\"")
            .replacingOccurrences(of: "\"a11ce000-0000-4000-8000-000000000002\"", with: "\"../../etc/x\"")
        try edited.write(toFile: state.file(StateFileName.users), atomically: false, encoding: .utf8)
        let doctor = try state.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.standardOutput.contains("invalidValue: no-at-sign"), "\(doctor.standardOutput)")
        #expect(doctor.standardOutput.contains("../../etc/x"), "\(doctor.standardOutput)")
    }

    @Test("hostile text stays inert in every command's output, and JSON escapes bidi characters")
    func inertEverywhere() throws {
        let state = try TrustState()
        let hostile = "Evil\u{1B}[2J\u{07}\u{202E}"
        #expect(try state.run(["groups", "create", hostile, "--static"]).status == 0)
        #expect(try state.run(["groups", "members", "add", hostile, "adele.vance@contoso.com"]).status == 0)
        #expect(try state.run(["groups", "license", "add", hostile, "ENTERPRISEPACK"]).status == 0)
        _ = try state.run(["process"])
        let commands: [[String]] = [
            ["users", "show", "adele.vance@contoso.com"], ["groups", "reprocess", hostile], ["export", "licences-csv", "-"],
            ["users", "list"], ["groups", "list"], ["audit", "--json"], ["export", "changes", "--since", "0", "--format", "batch"],
        ]
        for command in commands {
            let result = try state.run(command)
            let output = result.standardOutput + result.standardError
            #expect(
                !output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E },
                "\(command): \(output.prefix(400).debugDescription)")
        }
        let check = try BinaryRunner.run(["rules", "check", "user.department -eq \"x\u{1B}[2J\u{202E}\""])
        #expect(!(check.standardOutput + check.standardError).unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
    }

    @Test("a user moved between groups by an attribute change is in the audit log")
    func attributeMovesAudited() throws {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "extensionAttribute10=E3 with Selected Services"]).status == 0)
        #expect(try state.run(["process"]).status == 0)
        let audit = try state.run(["audit", "--object", "E3"]).standardOutput
        #expect(audit.contains("E3 with Selected Services: 1 joined, 0 left (attribute changes)"), "\(audit)")
        #expect(audit.contains("E3 All: 0 joined, 1 left (attribute changes)"), "\(audit)")
    }

    @Test("export keeps a group's licence removal before its delete (Graph refuses to delete a licensing group)")
    func removalBeforeDelete() throws {
        let state = try TrustState()
        #expect(try state.run(["groups", "license", "remove", "E3 with Selected Services", "ENTERPRISEPACK"]).status == 0)
        #expect(try state.run(["process"]).status == 0)
        #expect(try state.run(["groups", "delete", "E3 with Selected Services"]).status == 0)
        let export = try state.run(["export", "changes", "--since", "0", "--format", "batch"])
        let text = export.standardOutput
        let removal = try #require(text.range(of: "/assignLicense"), "the removal was dropped: \(text)")
        let delete = try #require(text.range(of: "\"DELETE\""))
        #expect(removal.lowerBound < delete.lowerBound)
        // Added and removed again within the range: the live group never had it, nothing to remove.
        let fresh = try TrustState()
        #expect(try fresh.run(["groups", "create", "Temp", "--static"]).status == 0)
        #expect(try fresh.run(["groups", "license", "add", "Temp", "ENTERPRISEPACK"]).status == 0)
        #expect(try fresh.run(["groups", "license", "remove", "Temp", "ENTERPRISEPACK"]).status == 0)
        #expect(try fresh.run(["groups", "delete", "Temp"]).status == 0)
        #expect(!(try fresh.run(["export", "changes", "--since", "0", "--format", "batch"]).standardOutput.contains("assignLicense")))
    }
}
