import Foundation
import LicenseStore
import TestSupport
import Testing

/// Class 8: bad input gets an error, never a crash or a stored time bomb.
@Suite("Trust: deep, long and malformed input is refused with where and why")
struct InputLimitTests {
    static let deepRule = String(repeating: "(", count: 2_000) + #"user.department -eq "x""# + String(repeating: ")", count: 2_000)
    // Not first: a leading "-not" would be taken for an option by the argument parser.
    static let deepNot = #"user.department -eq "y" -or "# + String(repeating: "-not ", count: 2_000) + #"(user.department -eq "x")"#
    static let deepJSON = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)

    @Test("rules nested thousands deep are refused, never a crash", arguments: [deepRule, deepNot])
    func deepRules(rule: String) throws {
        let check = try BinaryRunner.run(["rules", "check", rule])
        #expect(check.status == 1, "exit \(check.status)")
        #expect(check.standardError.contains("nested more than 100 levels"), "\(check.standardError.prefix(300))")
        let state = try TrustState()
        let created = try state.run(["groups", "create", "Deep", "--rule", rule])
        #expect(created.status == 2 || created.status == 1, "exit \(created.status)")
        #expect(try state.run(["status"]).status == 0, "the refused rule left the state unreadable")
    }

    @Test("JSON nested 10,000 deep: a state file, an import, --user and a batch line each say where, none crashes")
    func deepJSONEverywhere() throws {
        let state = try TrustState()
        // A state file (the cache set aside so the JSON is read).
        unlink(state.file(StateFileName.cache))
        let users = try String(contentsOfFile: state.file(StateFileName.users), encoding: .utf8)
        try users.replacingOccurrences(of: "\"value\" :", with: "\"junk\": \(Self.deepJSON), \"value\" :")
            .write(toFile: state.file(StateFileName.users), atomically: false, encoding: .utf8)
        let status = try state.run(["status"])
        #expect(status.status == 2)
        #expect(status.standardError.contains("users.json:") && status.standardError.contains("nested more than 256 levels"), "\(status.standardError)")
        // An import file.
        let fresh = try TrustState()
        let folder = TemporaryDirectory()
        let file = folder.write(
            "{\"value\": [{\"id\": \"0000e001-0000-4000-8000-000000000001\", \"userPrincipalName\": \"deep@contoso.com\", \"displayName\": \"D\", \"junk\": \(Self.deepJSON)}]}",
            to: "users.json")
        let imported = try fresh.run(["import", "graph", file, "--apply"])
        #expect(imported.status == 2)
        #expect(imported.standardError.contains("nested more than 256 levels"), "\(imported.standardError)")
        #expect(try fresh.run(["users", "show", "deep@contoso.com"]).status != 0, "the deep record was saved")
        // --user, and a batch line.
        let user = try BinaryRunner.run(["rules", "test", #"user.department -eq "x""#, "--user", "{\"department\": \(Self.deepJSON)}"])
        #expect(user.status == 2)
        #expect(user.standardError.contains("nested more than 256 levels"))
        let batch = folder.write("{\"rule\": \"user.department -eq \\\"x\\\"\", \"user\": {\"d\": \(Self.deepJSON)}}\n", to: "batch.jsonl")
        let answered = try BinaryRunner.run(["rules", "test", "--batch", batch])
        #expect(answered.standardOutput.contains("nested more than 256 levels"), "\(answered.standardOutput.prefix(300))")
    }

    @Test("a journal line or a roles file nested 10,000 deep is refused by name")
    func deepJournalAndRoles() throws {
        let state = try TrustState()
        try "{\"users\": \(Self.deepJSON)}".write(toFile: state.file(StateFileName.roles), atomically: false, encoding: .utf8)
        let change = try state.run(["users", "set", "adele.vance@contoso.com", "department=X"])
        #expect(change.status == 2)
        #expect(change.standardError.contains("roles.json"), "\(change.standardError)")
        unlink(state.file(StateFileName.roles))
        try "{\"sequence\": 1, \"change\": \(Self.deepJSON)}\n".write(toFile: state.file(StateFileName.journal), atomically: false, encoding: .utf8)
        let status = try state.run(["status"])
        #expect(status.status == 2)
        #expect(status.standardError.contains("journal.jsonl:1"), "\(status.standardError)")
    }

    static let badUsers: [(String, String)] = [
        ("two @", #"{"id": "0000e002-0000-4000-8000-000000000001", "userPrincipalName": "a@b@contoso.com", "displayName": "A"}"#),
        ("no @", #"{"id": "0000e002-0000-4000-8000-000000000002", "userPrincipalName": "nobody", "displayName": "A"}"#),
        ("a space", #"{"id": "0000e002-0000-4000-8000-000000000003", "userPrincipalName": "a b@contoso.com", "displayName": "A"}"#),
        ("no domain dot", #"{"id": "0000e002-0000-4000-8000-000000000004", "userPrincipalName": "a@contoso", "displayName": "A"}"#),
        (
            "alias of 65",
            "{\"id\": \"0000e002-0000-4000-8000-000000000005\", \"userPrincipalName\": \"\(String(repeating: "a", count: 65))@contoso.com\", \"displayName\": \"A\"}"
        ),
        (
            "display name of 257",
            "{\"id\": \"0000e002-0000-4000-8000-000000000006\", \"userPrincipalName\": \"long@contoso.com\", \"displayName\": \"\(String(repeating: "n", count: 257))\"}"
        ),
        ("path in the id", #"{"id": "../../groups/0000e002", "userPrincipalName": "path@contoso.com", "displayName": "A"}"#),
        ("placeholder id", #"{"id": "u1", "userPrincipalName": "placeholder@contoso.com", "displayName": "A"}"#),
        ("the UPN of another", #"{"id": "0000e002-0000-4000-8000-000000000007", "userPrincipalName": "Adele.Vance@contoso.com", "displayName": "A"}"#),
    ]

    @Test("records Entra would never have stored are refused by record, and --skip-bad leaves out each of them", arguments: badUsers.map(\.0))
    func badUserRecords(kind: String) throws {
        let state = try TrustState()
        let bad = Self.badUsers.first { $0.0 == kind }!.1
        let good = #"{"id": "0000e003-0000-4000-8000-000000000001", "userPrincipalName": "good@contoso.com", "displayName": "Good"}"#
        let folder = TemporaryDirectory()
        let file = folder.write(
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\", \"value\": [\(good),\n\(bad)]}", to: "users.json")
        let before = state.picture()
        let refused = try state.run(["import", "graph", file, "--apply"])
        #expect(refused.status == 2, "\(kind): \(refused.standardOutput) \(refused.standardError)")
        #expect(refused.standardError.contains("record 2"), "\(kind): \(refused.standardError)")
        #expect(state.picture() == before, "\(kind): something was saved")
        let skipped = try state.run(["import", "graph", file, "--apply", "--skip-bad"])
        #expect(skipped.status == 0, "\(kind): \(skipped.standardError)")
        #expect(try state.run(["users", "show", "good@contoso.com"]).status == 0)
        let doctor = try state.run(["doctor"])
        #expect(!doctor.standardOutput.contains("duplicateAddress"), "\(doctor.standardOutput)")
    }

    @Test("a group rule over 3,072 characters and seat counts that would overflow are refused on import")
    func badGroupAndSku() throws {
        let state = try TrustState()
        let folder = TemporaryDirectory()
        let rule = "user.department -eq \\\"" + String(repeating: "x", count: 3_100) + "\\\""
        let groups = folder.write(
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#groups\", \"value\": [{\"id\": \"0000e004-0000-4000-8000-000000000001\", \"displayName\": \"Long\", \"groupTypes\": [\"DynamicMembership\"], \"membershipRule\": \"\(rule)\"}]}",
            to: "groups.json")
        let refused = try state.run(["import", "graph", groups, "--apply"])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("3072") || refused.standardError.contains("3,072"), "\(refused.standardError)")
        let skus = folder.write(
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#subscribedSkus\", \"value\": [{\"id\": \"x\", \"skuId\": \"6fd2c87f-b296-42f0-b197-1e91e994b900\", \"skuPartNumber\": \"ENTERPRISEPACK\", \"consumedUnits\": -5, \"prepaidUnits\": {\"enabled\": 9223372036854775807}, \"servicePlans\": []}]}",
            to: "subscribedSkus.json")
        let overflow = try state.run(["import", "graph", skus, "--apply"])
        #expect(overflow.status == 2)
        #expect(overflow.standardError.contains("consumedUnits is -5"), "\(overflow.standardError)")
        #expect(try state.run(["skus", "set-seats", "ENTERPRISEPACK", "9223372036854775807"]).status == 2)
    }

    @Test("a hand-edited subscribedSkus.json with Int.max seats and negative consumedUnits reads without trapping")
    func overflowOnLoad() throws {
        let state = try TrustState()
        let skus = try String(contentsOfFile: state.file(StateFileName.subscribedSkus), encoding: .utf8)
        let edited = skus.replacingOccurrences(of: "\"consumedUnits\" : 34", with: "\"consumedUnits\" : -9223372036854775807")
            .replacingOccurrences(of: "\"enabled\" : 36", with: "\"enabled\" : 9223372036854775807")
        #expect(edited != skus)
        try edited.write(toFile: state.file(StateFileName.subscribedSkus), atomically: false, encoding: .utf8)
        for command in [["status"], ["skus", "show", "ENTERPRISEPACK"], ["report", "seats"], ["report", "forecast"]] {
            let result = try state.run(command)
            #expect(result.status == 0 || result.status == 2, "\(command) crashed: \(result.status)")
        }
    }
}
