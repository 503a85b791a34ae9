import Foundation
import TestSupport
import Testing

@Suite("Licensing commands", .serialized)
struct LicensingCommandTests {
    func run(_ arguments: [String], in directory: TemporaryDirectory) throws -> BinaryRunner.Result {
        try BinaryRunner.run(arguments + ["--state", directory.path])
    }

    @Test("groups show on the demo reports 3 of 16 enabled, with each plan's toggle")
    func showSelectedServices() throws {
        let directory = TemporaryDirectory()
        let result = try run(["groups", "show", "e3 with selected services"], in: directory)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("ENTERPRISEPACK: 3 of 16 enabled"))
        #expect(result.standardOutput.contains("[x] SharePoint (Plan 2)  (SHAREPOINTENTERPRISE)"))
        #expect(result.standardOutput.contains("[ ] Sway  (SWAY)"))
    }

    @Test("a plan toggle, then process: the group shows 4 of 16 and its members gain the plan")
    func toggleAndProcess() throws {
        let directory = TemporaryDirectory()
        #expect(try run(["groups", "plan", "enable", "E3 with Selected Services", "Office 365 E3", "Microsoft Forms (Plan E3)"], in: directory).status == 0)
        let pending = try run(["status", "--json"], in: directory)
        #expect(pending.standardOutput.contains("\"licenseGroups\" : 1"))
        #expect(try run(["process"], in: directory).standardOutput.contains("Users successfully assigned licenses: 17"))
        #expect(try run(["groups", "show", "E3 with Selected Services"], in: directory).standardOutput.contains("4 of 16 enabled"))
        let user = try run(["users", "show", "christie.cline@contoso.com", "--json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(user.standardOutput.utf8)) as? [String: Any]
        let plans = (object?["assignedPlans"] as? [[String: Any]])?.filter { $0["capabilityStatus"] as? String == "Enabled" }
        #expect(plans?.count == 4)
        #expect((object?["memberOf"] as? [[String: Any]])?.first?["displayName"] as? String == "E3 with Selected Services")
        #expect((object?["licenseAssignmentStates"] as? [[String: Any]])?.first?["error"] as? String == "None")
    }

    @Test("seat shortage: CountViolation; raising seats alone changes nothing; reprocess fixes it")
    func seatShortage() throws {
        let directory = TemporaryDirectory()
        _ = try run(["init"], in: directory)
        #expect(try run(["users", "add", "new.one@contoso.com", "--usage-location", "US", "--set", "extensionAttribute10=E3 All"], in: directory).status == 0)
        #expect(try run(["users", "add", "new.two@contoso.com", "--set", "extensionAttribute10=E3 All"], in: directory).status == 0)
        #expect(try run(["users", "add", "new.three@contoso.com", "--set", "extensionAttribute10=E3 All"], in: directory).status == 0)
        _ = try run(["process"], in: directory)
        let group = try run(["groups", "show", "E3 All"], in: directory).standardOutput
        #expect(group.contains("Members with licence errors: 1"))
        #expect(group.contains("new.three@contoso.com: CountViolation"))
        #expect(try run(["skus", "set-seats", "ENTERPRISEPACK", "40"], in: directory).status == 0)
        _ = try run(["process"], in: directory)
        #expect(try run(["groups", "show", "E3 All"], in: directory).standardOutput.contains("CountViolation"))
        #expect(try run(["groups", "reprocess", "E3 All"], in: directory).standardOutput.contains("20 members of E3 All queued"))
        _ = try run(["process"], in: directory)
        #expect(!(try run(["groups", "show", "E3 All"], in: directory).standardOutput.contains("CountViolation")))
        #expect(try run(["skus", "show", "ENTERPRISEPACK"], in: directory).standardOutput.contains("Seats: 37 of 40 used"))
    }

    @Test("refusals exit 1 with Entra's message; unknown names exit 2 and say what exists")
    func exitCodes() throws {
        let directory = TemporaryDirectory()
        let inherited = try run(["users", "license", "remove", "adele.vance@contoso.com", "ENTERPRISEPACK"], in: directory)
        #expect(inherited.status == 1)
        #expect(inherited.standardError.contains("User license is inherited from a group membership and it cannot be removed directly from the user."))
        let unknown = try run(["skus", "show", "NOPE"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("ENTERPRISEPACK"))
        let dynamicMember = try run(["groups", "members", "add", "E3 All", "dana.levi@contoso.com"], in: directory)
        #expect(dynamicMember.status == 1)
        #expect(dynamicMember.standardError.contains("dynamic group"))
        let delete = try run(["groups", "delete", "E3 All"], in: directory)
        #expect(delete.status == 1)
        let badRule = try run(["groups", "create", "X", "--rule", "user.nope -eq 1"], in: directory)
        #expect(badRule.status == 1)
        #expect(badRule.standardError.contains("Attribute not supported."))
    }

    @Test("a static group, members, a licence swap, and users list with a rule filter")
    func staticGroupFlow() throws {
        let directory = TemporaryDirectory()
        _ = try run(["init"], in: directory)
        #expect(try run(["skus", "add", "STANDARDPACK", "--seats", "5"], in: directory).status == 0)
        #expect(try run(["groups", "create", "Pilot", "--static"], in: directory).status == 0)
        #expect(try run(["groups", "members", "add", "Pilot", "dana.levi@contoso.com"], in: directory).status == 0)
        #expect(
            try run(["groups", "license", "add", "Pilot", "STANDARDPACK", "--enable", "EXCHANGE_S_STANDARD", "--enable", "TEAMS1"], in: directory).status == 0)
        _ = try run(["process"], in: directory)
        #expect(try run(["groups", "show", "Pilot"], in: directory).standardOutput.contains("STANDARDPACK: 2 of 34 enabled"))
        #expect(try run(["groups", "license", "swap", "Pilot", "STANDARDPACK", "ENTERPRISEPACK"], in: directory).status == 0)
        _ = try run(["process"], in: directory)
        let dana = try run(["users", "show", "dana.levi@contoso.com"], in: directory).standardOutput
        #expect(dana.contains("ENTERPRISEPACK: 16 of 16 enabled"))
        #expect(dana.contains("via group Pilot: Active"))
        #expect(!dana.contains("STANDARDPACK"))
        let listed = try run(["users", "list", "--filter", "user.city -eq \"Haifa\""], in: directory).standardOutput
        #expect(listed.split(separator: "\n").count == 1)
        #expect(listed.hasPrefix("dana.levi@contoso.com"))
    }
}
