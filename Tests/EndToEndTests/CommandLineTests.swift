import Foundation
import TestSupport
import Testing

@Suite("Command line", .serialized)
struct CommandLineTests {
    @Test("status on a fresh state directory seeds the demo tenant, says so, and prints its summary")
    func statusSeeds() throws {
        let directory = TemporaryDirectory()
        let result = try BinaryRunner.run(["--state", directory.path, "status"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("seeded the built-in demo tenant"))
        #expect(result.standardOutput.contains("Tenant Contoso Ltd (US)"))
        #expect(result.standardOutput.contains("ENTERPRISEPACK  34 of 36"))
        let again = try BinaryRunner.run(["--state", directory.path, "status"])
        #expect(!again.standardError.contains("seeded"))
    }

    @Test("status --json prints valid JSON with seats per SKU")
    func statusJSON() throws {
        let directory = TemporaryDirectory()
        let result = try BinaryRunner.run(["status", "--json"], environment: ["LICENSEDESK_STATE": directory.path])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(object?["users"] as? Int == 44)
        let skus = object?["skus"] as? [[String: Any]]
        #expect(skus?.first?["consumedUnits"] as? Int == 34)
        #expect(skus?.first?["overAllocated"] as? Bool == false)
    }

    @Test("status warns when a SKU uses more seats than were bought, in text and in JSON")
    func statusOverAllocated() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        #expect(try BinaryRunner.run(["skus", "set-seats", "--state", directory.path, "ENTERPRISEPACK", "30"]).status == 0)
        let text = try BinaryRunner.run(["status", "--state", directory.path])
        #expect(text.standardOutput.contains("Warning: ENTERPRISEPACK uses 34 seats of 30 bought (4 over)"), "\(text.standardOutput)")
        let json = try BinaryRunner.run(["status", "--json", "--state", directory.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let skus = object?["skus"] as? [[String: Any]]
        #expect(skus?.first { $0["skuPartNumber"] as? String == "ENTERPRISEPACK" }?["overAllocated"] as? Bool == true)
    }

    @Test("init refuses to replace a tenant without --force, and --empty makes an empty one")
    func initCommand() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let refused = try BinaryRunner.run(["init", "--empty", "--state", directory.path])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("--force"))
        #expect(try BinaryRunner.run(["init", "--empty", "--force", "--state", directory.path]).status == 0)
        let status = try BinaryRunner.run(["status", "--json", "--state", directory.path])
        #expect(status.standardOutput.contains("\"users\" : 0"))
    }

    @Test("a corrupt state file gives its file and line, exit 2, and is left untouched")
    func corruptState() throws {
        let directory = TemporaryDirectory()
        _ = try BinaryRunner.run(["init", "--state", directory.path])
        let path = directory.file("users.json")
        try "{\n  \"value\": [\n    {\"id\": \"x\",,}\n  ]\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["status", "--state", directory.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("users.json:3:"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(",,"))
    }

    @Test("rules check prints the canonical form, or each problem with a caret line and exit 1")
    func rulesCheck() throws {
        let ok = try BinaryRunner.run(["rules", "check", #"user.extensionattribute10 -eq "E3 All" or user.city -startswith 'x'"#])
        #expect(ok.status == 0)
        #expect(ok.standardOutput == "user.extensionAttribute10 -eq \"E3 All\" -or user.city -startsWith \"x\"\n")
        let bad = try BinaryRunner.run(["rules", "check", #"user.departmnet -eq "Sales""#])
        #expect(bad.status == 1)
        let lines = bad.standardError.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("error: column 1: Attribute not supported.") == true)
        #expect(lines.count >= 3 && lines[1] == #"user.departmnet -eq "Sales""# && lines[2] == "^^^^^^^^^^^^^^^")
    }

    @Test("rules test prints true or false; invalid rules exit 1; malformed JSON exits 2")
    func rulesTest() throws {
        let rule = #"user.extensionAttribute10 -eq "E3 All""#
        #expect(try BinaryRunner.run(["rules", "test", rule, "--user", #"{"ExtensionAttribute10": "e3 all"}"#]).standardOutput == "true\n")
        #expect(try BinaryRunner.run(["rules", "test", rule, "--user", "{}"]).standardOutput == "false\n")
        #expect(try BinaryRunner.run(["rules", "test", "user.x -eq 1", "--user", "{}"]).status == 1)
        let malformed = try BinaryRunner.run(["rules", "test", rule, "--user", "{nope"])
        #expect(malformed.status == 2)
        #expect(malformed.standardError.contains("not valid JSON"))
        let dated = try BinaryRunner.run([
            "rules", "test", "user.employeeHireDate -ge system.now -minus p30d", "--user",
            #"{"employeeHireDate": "2026-01-10T00:00:00Z"}"#, "--now", "2026-01-20T00:00:00Z",
        ])
        #expect(dated.standardOutput == "true\n")
    }

    @Test("rules test --batch answers one JSON line per line in, in order, and goes on after a bad line")
    func rulesBatch() throws {
        let input =
            [
                #"{"rule": "user.city -eq \"Zürich\"", "user": {"city": "ZÜRICH"}}"#,
                #"{"rule": "user.city -eq", "user": {}}"#,
                "not json",
                #"{"rule": "user.employeeHireDate -le system.now", "user": {"employeeHireDate": "2030-01-01T00:00:00Z"}, "now": "2029-01-01T00:00:00Z"}"#,
            ].joined(separator: "\n") + "\n"
        let result = try BinaryRunner.run(["rules", "test", "--batch", "-"], input: input)
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == #"{"match":true}"#)
        #expect(lines[1].contains(#""column":14"#) && lines[1].contains("Query compilation error."))
        #expect(lines[2].hasPrefix(#"{"error":"#))
        #expect(lines[3] == #"{"match":false}"#)
    }

    @Test("rules test --tenant counts the state's matching users")
    func rulesTenant() throws {
        let directory = TemporaryDirectory()
        let result = try BinaryRunner.run([
            "rules", "test", #"user.extensionAttribute10 -eq "E3 All""#, "--tenant", "--limit", "2", "--state", directory.path,
        ])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("17 of 44 users match"))
        #expect(result.standardOutput.contains("… and 15 more"))
    }

    @Test("bad usage exits 2, as scripts are promised")
    func badUsage() throws {
        #expect(try BinaryRunner.run(["rules", "test", "user.city -eq \"x\""]).status == 2)
        #expect(try BinaryRunner.run(["no-such-command"]).status == 2)
        #expect(try BinaryRunner.run(["--help"]).status == 0)
    }

    @Test("bench prints every figure, and --state benches a copy of a real tenant without writing to it")
    func bench() throws {
        let synthetic = try BinaryRunner.run([
            "bench", "--users", "400", "--groups", "6", "--changes", "30", "--saves", "30", "--compactions", "2", "--compact-every", "10", "--json",
        ])
        #expect(synthetic.status == 0, "\(synthetic.standardError)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(synthetic.standardOutput.utf8)) as? [String: Any])
        #expect(figures["memberships"] as? Int ?? 0 > 0)
        #expect(figures["attributeChanges"] as? Int == 30)
        let rates = try #require(figures["ruleRates"] as? [[String: Any]])
        #expect(rates.map { $0["rule"] as? String } == ["simple", "five clauses", "match", "any"])
        #expect(rates.allSatisfy { ($0["perSecond"] as? Double ?? 0) > 0 })
        let phases = (figures["phasePeaks"] as? [[String: Any]])?.compactMap { $0["phase"] as? String }
        #expect(
            phases == [
                "generate, membership, licences", "attribute changes, toggle", "write snapshot", "load from the cache", "saves",
                "load with the deltas", "compaction", "console", "load from the JSON files",
            ])
        // The load met every delta written since the last whole snapshot (a slow run folds in
        // more changes per compaction, and past a quarter of the tenant writes one whole).
        let written = (figures["savesAcrossCompactions"] as? [String: Any])?["compactions"] as? [[String: Any]] ?? []
        let sinceWhole = written.reversed().prefix { ($0["deltaRecords"] as? Int ?? 0) > 0 }.count
        #expect(figures["deltasAtLoad"] as? Int == sinceWhole, "\(written)")
        #expect(figures["loadSeconds"] as? Double ?? 0 > 0 && figures["cachedLoadSeconds"] as? Double ?? 0 > 0)
        // Saves crossed real background compactions while another process read.
        let saves = try #require(figures["savesAcrossCompactions"] as? [String: Any])
        #expect(saves["saves"] as? Int ?? 0 >= 30)
        let runs = try #require(saves["compactions"] as? [[String: Any]])
        #expect(runs.count >= 2, "\(saves)")
        #expect(runs.allSatisfy { ($0["bytesWritten"] as? Int ?? 0) > 0 && ($0["entries"] as? Int ?? 0) >= 10 })
        #expect(saves["readerRefreshes"] as? Int ?? 0 > 0)
        #expect(saves["readerReloads"] as? Int == 0, "the reader loaded the tenant again instead of following the compactions")

        let directory = TemporaryDirectory()
        // --orjson runs the Python it names on the bench's JSON files and reads its seconds.
        let peer = directory.file("fake-python")
        try "#!/bin/sh\n[ -f \"$3\" ] && echo 0.250\n".write(toFile: peer, atomically: true, encoding: .utf8)
        chmod(peer, 0o755)
        let compared = try BinaryRunner.run([
            "bench", "--users", "300", "--groups", "4", "--changes", "5", "--saves", "10", "--compactions", "1", "--compact-every", "5", "--json", "--orjson",
            peer,
        ])
        #expect(compared.status == 0, "\(compared.standardError)")
        let comparedFigures = try JSONSerialization.jsonObject(with: Data(compared.standardOutput.utf8)) as? [String: Any]
        #expect(comparedFigures?["orjsonSeconds"] as? Double == 0.25)
        try FileManager.default.removeItem(atPath: peer)
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let before = try names.map { try Data(contentsOf: URL(fileURLWithPath: directory.file($0))) }
        let given = try BinaryRunner.run([
            "bench", "--state", directory.path, "--changes", "10", "--saves", "12", "--compactions", "1", "--compact-every", "5",
        ])
        #expect(given.status == 0, "\(given.standardError)")
        #expect(given.standardOutput.contains("given state, load"))
        #expect(given.standardOutput.contains("44 users"))
        #expect(given.standardOutput.contains("(10 changes)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == names)
        #expect(try names.map { try Data(contentsOf: URL(fileURLWithPath: directory.file($0))) } == before)
        let missing = try BinaryRunner.run(["bench", "--state", directory.file("nothing-here")])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("no tenant in"))
    }
}
