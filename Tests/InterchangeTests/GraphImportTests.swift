import Foundation
import Interchange
import LicenseModel
import LicenseStore
import MembershipRules
import TestSupport
import Testing

@Suite("Import of Graph JSON")
struct GraphImportTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600), actor: "test")

    func emptyTenant() -> Tenant {
        Tenant(organization: Organization(id: "00000000-0000-4000-8000-000000000000", displayName: "New tenant", countryLetterCode: "US"))
    }

    /// The four collections compared as Graph JSON, the shape both sides are written in.
    func graphJSON(_ tenant: Tenant) throws -> [Data] {
        let encoder = StateJSON.encoder()
        return [
            try encoder.encode([tenant.organization]), try encoder.encode(tenant.subscribedSkus), try encoder.encode(tenant.users),
            try encoder.encode(tenant.groups),
        ]
    }

    @Test("export graph of the demo, import into an empty tenant: the two tenants are equal")
    func roundTrip() throws {
        let directory = TemporaryDirectory()
        let demo = DemoTenant.make()
        try GraphExport.write(demo, to: directory.path)
        var target = emptyTenant()
        let outcome = GraphImport.read([directory.path], against: target, skipBad: false)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        try target.apply(.importDirectory(outcome.payload), context: context)
        #expect(try graphJSON(target) == graphJSON(demo))
        #expect(TenantDoctor.examine(target).isEmpty)
    }

    @Test("a truncated file is reported with its line and column, and nothing is read from it")
    func truncated() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("{\n  \"value\": [\n    {\"id\": \"1\", \"userPrincipalName\": \"a@contoso.com\"", to: "users.json")
        let outcome = GraphImport.read([file], against: emptyTenant(), skipBad: false)
        let problem = try #require(outcome.problems.first)
        #expect(problem.file == file)
        #expect(problem.line == 3)
        #expect(problem.column != nil)
        #expect(problem.description.contains("not valid JSON"))
        #expect(outcome.payload.users.isEmpty)
    }

    @Test("a field of the wrong type names the record, the user and the field")
    func wrongType() throws {
        let directory = TemporaryDirectory()
        let file = directory.write(
            """
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [
              {"id": "0000a001-0000-4000-8000-000000000001", "userPrincipalName": "one@contoso.com", "displayName": "One"},
              {"id": "0000a001-0000-4000-8000-000000000002", "userPrincipalName": "two@contoso.com", "displayName": "Two", "accountEnabled": "yes"}
            ]}
            """, to: "page.json")
        let outcome = GraphImport.read([file], against: emptyTenant(), skipBad: false)
        #expect(outcome.problems.count == 1)
        let problem = try #require(outcome.problems.first)
        #expect(problem.record == 2)
        #expect(problem.description == "\(file) record 2: two@contoso.com: accountEnabled: expected true or false")
        // Without --skip-bad the good record is still reported as read, but the command saves nothing.
        #expect(outcome.payload.users.map(\.id) == ["0000a001-0000-4000-8000-000000000001"])
    }

    @Test("duplicate ids across pages, @odata.nextLink pages, BOM and CRLF")
    func pagesAndDuplicates() throws {
        let directory = TemporaryDirectory()
        let context = "\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName)\""
        let first = directory.write(
            "\u{FEFF}{\(context), \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/users?$skiptoken=X\",\r\n \"value\": [\r\n{\"id\": \"0000a001-0000-4000-8000-000000000001\", \"userPrincipalName\": \"one@contoso.com\", \"displayName\": \"One\"}]}\r\n",
            to: "users-1.json")
        _ = directory.write(
            "{\(context), \"value\": [{\"id\": \"0000a001-0000-4000-8000-000000000002\", \"userPrincipalName\": \"two@contoso.com\", \"displayName\": \"Two\"}, {\"id\": \"0000a001-0000-4000-8000-000000000001\", \"userPrincipalName\": \"uno@contoso.com\", \"displayName\": \"Uno\"}]}",
            to: "users-2.json")
        let outcome = GraphImport.read([directory.path], against: emptyTenant(), skipBad: true)
        #expect(outcome.payload.users.map(\.id) == ["0000a001-0000-4000-8000-000000000001", "0000a001-0000-4000-8000-000000000002"])
        #expect(
            outcome.problems.map(\.description) == [
                "\(directory.file("users-2.json")) record 2: duplicate id 0000a001-0000-4000-8000-000000000001 (first in \(first) record 1)"
            ])
        #expect(outcome.notes.contains("2 pages of users"))
    }

    @Test(
        "a UPN held by another tenant user (any case) or by an earlier record is refused; a UPN freed by a user renamed in the same import may be taken; a user re-sent with its own UPN is no clash"
    )
    func upnClashes() throws {
        let directory = TemporaryDirectory()
        let tenant = DemoTenant.make()
        let adele = try tenant.findUser("adele.vance@contoso.com")
        let alex = try tenant.findUser("alex.wilber@contoso.com")
        let file = directory.write(
            """
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [
              {"id": "0000a001-0000-4000-8000-000000000001", "userPrincipalName": "ALEX.WILBER@contoso.com", "displayName": "Clash with the tenant"},
              {"id": "\(adele.id)", "userPrincipalName": "adele.renamed@contoso.com", "displayName": "Adele"},
              {"id": "0000a001-0000-4000-8000-000000000002", "userPrincipalName": "adele.vance@contoso.com", "displayName": "Takes Adele's old UPN"},
              {"id": "0000a001-0000-4000-8000-000000000003", "userPrincipalName": "Adele.Renamed@contoso.com", "displayName": "Clash in the import"},
              {"id": "\(alex.id)", "userPrincipalName": "alex.wilber@contoso.com", "displayName": "Alex, re-sent"}
            ]}
            """, to: "users.json")
        let outcome = GraphImport.read([file], against: tenant, skipBad: true)
        #expect(
            outcome.problems.map(\.description) == [
                "\(file) record 1: UPN ALEX.WILBER@contoso.com is held by another user of the tenant (\(alex.id))",
                "\(file) record 4: UPN Adele.Renamed@contoso.com is also user \(adele.id)'s in this import",
            ])
        #expect(outcome.payload.users.map(\.id) == [adele.id, "0000a001-0000-4000-8000-000000000002", alex.id])
    }

    @Test("a new user's properties in two files ($select in parts) make one user with both, not a duplicate")
    func userInParts() throws {
        let directory = TemporaryDirectory()
        let context = "\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\""
        _ = directory.write(
            "{\(context), \"value\": [{\"id\": \"0000a001-0000-4000-8000-000000000001\", \"userPrincipalName\": \"one@contoso.com\", \"displayName\": \"One\"}]}",
            to: "users-1.json")
        _ = directory.write("{\(context), \"value\": [{\"id\": \"0000a001-0000-4000-8000-000000000001\", \"department\": \"Sales\"}]}", to: "users-2.json")
        let outcome = GraphImport.read([directory.path], against: emptyTenant(), skipBad: false)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        let user = try #require(outcome.payload.users.first)
        #expect(outcome.payload.users.count == 1)
        #expect(user.displayName == "One")
        #expect(user.strings[StringSlot.slot(named: "department")!] == "Sales")
    }

    @Test("an unknown SKU, a licence of a SKU the tenant lacks, and a member who is nowhere are each refused")
    func references() throws {
        let directory = TemporaryDirectory()
        let skus = directory.write(
            """
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus", "value": [
              {"id": "x", "skuId": "11111111-2222-3333-4444-555555555555", "skuPartNumber": "MADE_UP", "prepaidUnits": {"enabled": 5}, "servicePlans": []}
            ]}
            """, to: "subscribedSkus.json")
        let users = directory.write(
            """
            {"value": [{"id": "0000a001-0000-4000-8000-000000000001", "userPrincipalName": "one@contoso.com", "displayName": "One",
              "assignedLicenses": [{"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "disabledPlans": []}]}]}
            """, to: "users.json")
        let groups = directory.write(
            """
            {"value": [{"id": "0000b001-0000-4000-8000-000000000001", "displayName": "E3 All", "groupTypes": ["DynamicMembership"], "securityEnabled": true,
              "membershipRule": "user.extensionAttribute10 -eq \\"E3 All\\"", "members": [{"id": "0000a001-0000-4000-8000-000000000001"}, {"id": "0000c001-0000-4000-8000-000000000009"}]}]}
            """, to: "groups.json")
        let outcome = GraphImport.read([skus, users, groups], against: emptyTenant(), skipBad: false)
        let messages = outcome.problems.map(\.description)
        #expect(messages.contains { $0.hasPrefix("\(skus) record 1: unknown SKU 11111111-2222-3333-4444-555555555555 (MADE_UP)") })
        #expect(
            messages.contains(
                "\(users) record 1: SKU ENTERPRISEPACK (6fd2c87f-b296-42f0-b197-1e91e994b900) is not among the tenant's subscriptions: import /subscribedSkus too"
            ))
        #expect(
            messages.contains(
                "\(groups) record 1: 1 member(s) not imported and not in the tenant, first 0000c001-0000-4000-8000-000000000009: import /users too"))
        // With --skip-bad the bad user goes; the group stays, without the members it can't hold.
        let skipped = GraphImport.read([skus, users, groups], against: emptyTenant(), skipBad: true)
        #expect(skipped.payload.users.isEmpty && skipped.payload.subscribedSkus.isEmpty)
        #expect(skipped.payload.groups.map(\.displayName) == ["E3 All"])
        #expect(skipped.payload.groups.first?.members == [])
    }

    @Test(
        "--skip-bad leaves out three bad users and nothing else: their groups keep the other members, the seats are counted over who is imported, doctor finds nothing"
    )
    func skipBadDoesNotCascade() throws {
        let directory = TemporaryDirectory()
        let files = try GraphExport.write(DemoTenant.make(), to: directory.path)
        let usersFile = try #require(files.first { $0.hasSuffix("users.json") })
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: usersFile))) as? [String: Any])
        var users = try #require(object["value"] as? [[String: Any]])
        // Three licensed users, each naming a SKU no one has.
        let bad = [0, 1, 2].map { users[$0]["userPrincipalName"] as? String ?? "" }
        for index in 0..<3 { users[index]["assignedLicenses"] = [["skuId": "11111111-2222-4333-8444-555555555555", "disabledPlans": []]] }
        object["value"] = users
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: usersFile))

        let outcome = GraphImport.read(files, against: emptyTenant(), skipBad: true)
        // The three users, and the groups that lose them as members (said, not dropped).
        #expect(outcome.problems.filter { $0.reason.contains("unknown SKU") }.count == 3, "\(outcome.problems)")
        #expect(outcome.problems.filter { $0.reason.contains("member(s) not imported") }.count == 2, "\(outcome.problems)")
        #expect(outcome.payload.users.count == users.count - 3)
        #expect(Set(outcome.payload.users.map(\.userPrincipalName)).isDisjoint(with: bad))
        #expect(outcome.payload.groups.count == 2, "no group went with them")
        #expect(outcome.notes.contains { $0.contains("seats in use counted over the users imported") }, "\(outcome.notes)")
        var tenant = emptyTenant()
        try tenant.apply(.importDirectory(outcome.payload), context: ChangeContext(now: Date(), actor: "test"))
        let findings = TenantDoctor.examine(tenant).filter { $0.kind != .membershipOutOfDate }
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test("UTF-16 (Windows PowerShell's Out-File) is read as such; a file that is not a list, or holds no telling records, says so")
    func encodings() throws {
        let directory = TemporaryDirectory()
        let utf16 = directory.file("users.json")
        FileManager.default.createFile(atPath: utf16, contents: "{\"value\": []}".data(using: .utf16LittleEndian).map { Data([0xFF, 0xFE]) + $0 })
        #expect(GraphImport.read([utf16], against: emptyTenant(), skipBad: false).problems.isEmpty)
        let odd = directory.file("odd.json")
        FileManager.default.createFile(atPath: odd, contents: Data([0xFF, 0xFE, 0x7B]))
        #expect(GraphImport.read([odd], against: emptyTenant(), skipBad: false).problems.first?.reason.contains("not valid UTF-16") == true)
        let numbers = directory.write("[1, 2, 3]", to: "other.json")
        #expect(GraphImport.read([numbers], against: emptyTenant(), skipBad: false).problems.first?.reason.contains("can't tell whether") == true)
        let notList = directory.write("\"users\"", to: "text.json")
        #expect(GraphImport.read([notList], against: emptyTenant(), skipBad: false).problems.first?.reason.contains("not a Graph list response") == true)
        #expect(GraphImport.read([directory.file("missing.json")], against: emptyTenant(), skipBad: false).problems.first?.reason == "no such file or folder")
    }

    @Test("importing replaces objects with the same id and keeps the rest; a clashing UPN is refused by the model")
    func merge() throws {
        var tenant = DemoTenant.make()
        var adele = try tenant.findUser("adele.vance@contoso.com")
        adele.displayName = "Adele V."
        try tenant.apply(.importDirectory(DirectoryImport(users: [adele])), context: context)
        #expect(try tenant.findUser("adele.vance@contoso.com").displayName == "Adele V.")
        #expect(tenant.users.count == 44)
        var clash = User(id: "new-id", userPrincipalName: "ADELE.VANCE@contoso.com", displayName: "Clash")
        clash.accountEnabled = true
        #expect(throws: ModelError.self) { try tenant.apply(.importDirectory(DirectoryImport(users: [clash])), context: context) }
        #expect(tenant.users.count == 44)
    }
}
