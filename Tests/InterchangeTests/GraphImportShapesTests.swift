import Foundation
import Interchange
import LicenseModel
import LicenseStore
import MembershipRules
import TestSupport
import Testing

/// `import graph` on the shapes admins actually have: Microsoft's published responses, single
/// objects, Graph PowerShell's ConvertTo-Json (UTF-16 too), Azure AD Graph's names, partial
/// `$select` records and licenseDetails — and what is still refused, with why.
@Suite("Import of Graph JSON in every shape admins produce")
struct GraphImportShapesTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600), actor: "test")
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../EndToEndTests/GraphExamples")
        .standardized

    func emptyTenant() -> Tenant {
        Tenant(organization: Organization(id: "00000000-0000-4000-8000-000000000001", displayName: "New tenant", countryLetterCode: "US"))
    }

    func read(_ text: String, name: String = "export.json", into tenant: Tenant? = nil) -> ImportOutcome<DirectoryImport> {
        let directory = TemporaryDirectory()
        return GraphImport.read([directory.write(text, to: name)], against: tenant ?? DemoTenant.make(), skipBad: false)
    }

    @Test(
        "Microsoft's published responses import: lists, single objects with and without context, $select lists, SKUs, the organization",
        arguments: [
            ("users-list.default.json", 0), ("user-get.default.json", 1), ("users-post.json", 1), ("user-get.select.json", -1),
            ("users-list.select-licenses.json", -1), ("groups-list.json", 0), ("group-get.json", 1), ("groups-post.security.json", 1),
            ("subscribedSkus-list.json", 0), ("subscribedSku-get.json", 1), ("organization.json", 1),
        ])
    func microsoftExamples(file: String, expected: Int) throws {
        let outcome = GraphImport.read([Self.examples.appendingPathComponent(file).path], against: emptyTenant(), skipBad: false)
        let payload = outcome.payload
        let count = payload.users.count + payload.groups.count + payload.subscribedSkus.count + (payload.organization == nil ? 0 : 1)
        if expected == -1 {
            // A $select without userPrincipalName can't make users: said, with the $select to use.
            #expect(!outcome.problems.isEmpty && outcome.problems.allSatisfy { $0.reason.contains("$select=id,userPrincipalName") }, "\(outcome.problems)")
        } else {
            #expect(outcome.problems.isEmpty, "\(file): \(outcome.problems)")
            #expect(expected == 0 ? count > 0 : count == expected, "\(file): \(payload.summary)")
        }
    }

    static let powerShellUsers = #"""
        [
          {
            "AccountEnabled": true,
            "AssignedLicenses": [ { "DisabledPlans": [ "A23B959C-7CE8-4E57-9140-B90EB88A9E97" ], "SkuId": "6FD2C87F-B296-42F0-B197-1E91E994B900" } ],
            "City": null,
            "Department": "Retail",
            "DisplayName": "Rehearsal PowerShell",
            "Id": "A1B2C3D4-0000-4000-8000-00000000B0E1",
            "OnPremisesExtensionAttributes": { "ExtensionAttribute1": null, "ExtensionAttribute10": "E3 All", "ExtensionAttribute2": null },
            "UsageLocation": "US",
            "UserPrincipalName": "rehearsal.powershell@contoso.com",
            "EmployeeHireDate": "/Date(1700000000000)/",
            "AdditionalProperties": { "@odata.type": "#microsoft.graph.user" }
          }
        ]
        """#

    @Test("Graph PowerShell's ConvertTo-Json: PascalCase, AdditionalProperties, nulls for unselected properties, /Date()/, upper-case GUIDs — in UTF-16 too")
    func powerShell() throws {
        var tenant = DemoTenant.make()
        for encoding in [String.Encoding.utf8, .utf16LittleEndian] {
            let directory = TemporaryDirectory()
            let file = directory.file("users.json")
            let body = Self.powerShellUsers.data(using: encoding)!
            FileManager.default.createFile(atPath: file, contents: encoding == .utf8 ? body : Data([0xFF, 0xFE]) + body)
            let outcome = GraphImport.read([file], against: tenant, skipBad: false)
            #expect(outcome.problems.isEmpty, "\(outcome.problems)")
            let user = try #require(outcome.payload.users.first)
            #expect(user.id == "a1b2c3d4-0000-4000-8000-00000000b0e1")
            #expect(user.assignedLicenses == [AssignedLicense(skuId: DemoTenant.e3SkuID, disabledPlans: ["a23b959c-7ce8-4e57-9140-b90eb88a9e97"])])
            #expect(user.usageLocation == "US")
            #expect(user.employeeHireDate == Date(timeIntervalSince1970: 1_700_000_000))
            #expect(outcome.notes.contains { $0.contains("PowerShell") })
            if encoding == .utf16LittleEndian { try tenant.apply(.importDirectory(outcome.payload), context: context) }
        }
        let rehearsed = try tenant.findUser("rehearsal.powershell@contoso.com")
        #expect(rehearsed.strings[StringSlot.slot(named: "extensionAttribute10")!] == "E3 All")
    }

    @Test("ConvertTo-Json's default depth cut off the licences: said, with the -Depth that brings them; nothing imported")
    func cutOffByDepth() throws {
        let cut = Self.powerShellUsers.replacingOccurrences(
            of: #"[ { "DisabledPlans": [ "A23B959C-7CE8-4E57-9140-B90EB88A9E97" ], "SkuId": "6FD2C87F-B296-42F0-B197-1E91E994B900" } ]"#,
            with: #"[ "Microsoft.Graph.PowerShell.Models.MicrosoftGraphAssignedLicense" ]"#)
        let outcome = read(cut)
        let problem = try #require(outcome.problems.first, "\(outcome.notes)")
        #expect(problem.record == 1)
        #expect(problem.reason.contains("assignedLicenses[0]") && problem.reason.contains("ConvertTo-Json -Depth 5"), "\(problem.reason)")
    }

    @Test("Azure AD Graph's names: odata.metadata, odata.type, objectId, dirSyncEnabled, the singular licenseAssignmentState, stray spaces")
    func legacyAzureADGraph() throws {
        let text = #"""
            {"odata.metadata": "https://graph.windows.net/contoso.onmicrosoft.com/$metadata#directoryObjects/Microsoft.DirectoryServices.User",
             "value": [{"odata.type": "Microsoft.DirectoryServices.User", "objectType": "User", "objectId": "B0A1C2D3-0000-4000-8000-0000000AAD01",
                        "userPrincipalName": "legacy.user@contoso.com", "displayName": "Legacy User", "accountEnabled": true, "usageLocation": "GB",
                        "dirSyncEnabled": null, "immutableId": null, "extensionAttribute10": "E3 All",
                        "assignedLicenses": [{"disabledPlans": [], "skuId": "6FD2C87F-B296-42F0-B197-1E91E994B900"}],
                        "assignedPlans": [{"assignedTimestamp": "2024-01-01T00:00:00Z", "capabilityStatus": " Enabled ", "service": "exchange",
                                           "servicePlanId": "EFB87545-963C-4E0D-99DF-69C6916D9EB0"}]}],
             "odata.nextLink": "directoryObjects/$/Microsoft.DirectoryServices.User?$skiptoken=X'4453707402'"}
            """#
        let outcome = read(text, name: "aad.json")
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        let user = try #require(outcome.payload.users.first)
        #expect(user.id == "b0a1c2d3-0000-4000-8000-0000000aad01")
        #expect(user.assignedLicenses.first?.skuId == DemoTenant.e3SkuID)
        #expect(user.assignedPlans.first?.capabilityStatus == "Enabled")
        #expect(user.strings[StringSlot.slot(named: "extensionAttribute10")!] == "E3 All")
        #expect(outcome.notes.contains { $0.contains("@odata.nextLink") }, "its only page has a next link: the rest may be missing")
    }

    @Test("a $select record of a user who exists changes only what it carries; licenseDetails fill the user's licences and disabled plans")
    func partialRecords() throws {
        var tenant = DemoTenant.make()
        let adele = try tenant.findUser("adele.vance@contoso.com")
        let partial = read(
            #"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,usageLocation)", "value": [{"id": "\#(adele.id)", "usageLocation": "NO"}]}"#,
            into: tenant)
        #expect(partial.problems.isEmpty, "\(partial.problems)")
        try tenant.apply(.importDirectory(partial.payload), context: context)
        let updated = try tenant.findUser(adele.id)
        #expect(updated.usageLocation == "NO")
        #expect(updated.assignedLicenses == adele.assignedLicenses, "what the $select did not carry stays")
        #expect(updated.displayName == adele.displayName && updated.licenseAssignmentStates == adele.licenseAssignmentStates)

        // licenseDetails of a user no group licenses: a direct licence with those plans off, the
        // paths and the licences agreeing, the seat counted.
        let e3 = try #require(tenant.sku(id: DemoTenant.e3SkuID))
        let disabled = try #require(e3.servicePlans.first)
        let dana = try tenant.findUser("dana.levi@contoso.com")
        func details(_ user: User) -> String {
            #"""
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('\#(user.id)')/licenseDetails",
             "value": [{"id": "x", "skuId": "\#(DemoTenant.e3SkuID.uppercased())", "skuPartNumber": "ENTERPRISEPACK",
                        "servicePlans": [{"servicePlanId": "\#(disabled.servicePlanId)", "servicePlanName": "\#(disabled.servicePlanName)", "provisioningStatus": "Disabled", "appliesTo": "User"}]}]}
            """#
        }
        let filled = read(details(dana), into: tenant)
        #expect(filled.problems.isEmpty, "\(filled.problems)")
        let licensed = try #require(filled.payload.users.first)
        #expect(licensed.assignedLicenses == [AssignedLicense(skuId: DemoTenant.e3SkuID, disabledPlans: [disabled.servicePlanId])])
        #expect(licensed.licenseAssignmentStates.map(\.assignedByGroup) == [nil], "a direct path gives it")
        #expect(licensed.licenseAssignmentStates.first?.disabledPlans == [disabled.servicePlanId])
        #expect(licensed.userPrincipalName == dana.userPrincipalName)
        let seats = e3.consumedUnits
        try tenant.apply(.importDirectory(filled.payload), context: context)
        #expect(tenant.sku(id: DemoTenant.e3SkuID)?.consumedUnits == seats + 1, "the seat is counted")
        #expect(TenantDoctor.examine(tenant).isEmpty, "\(TenantDoctor.examine(tenant))")

        // Adele's E3 comes from E3 All: licences that say a plan is off there can't say which
        // path changed, so the record is refused with the $select that would; the same
        // licences as her paths give change nothing.
        let conflicting = read(details(adele), into: tenant)
        #expect(
            conflicting.problems.map(\.description).contains {
                $0.contains("adele.vance@contoso.com: assignedLicenses changes ENTERPRISEPACK, which group \(DemoTenant.e3AllGroupID) gives this user")
                    && $0.contains("$select=id,assignedLicenses,licenseAssignmentStates")
            }, "\(conflicting.problems)")
        let same = read(
            #"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,assignedLicenses,licenseAssignmentStates)", "value": [{"id": "\#(adele.id)", "assignedLicenses": [{"skuId": "\#(DemoTenant.e3SkuID)", "disabledPlans": []}], "licenseAssignmentStates": null}]}"#,
            into: tenant)
        #expect(same.problems.isEmpty, "\(same.problems)")
        #expect(same.payload.users.first?.licenseAssignmentStates == adele.licenseAssignmentStates, "a null list of paths wipes nothing")
    }

    @Test("a record's @odata annotations are not kept as its properties; a userType Entra doesn't have is refused with the value")
    func annotationsAndUserType() throws {
        let good = read(
            ##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{"@odata.type": "#microsoft.graph.user", "@odata.etag": "W/1", "id": "0000a001-0000-4000-8000-0000000000e1", "userPrincipalName": "typed@contoso.com", "displayName": "Typed", "userType": "Guest"}]}"##
        )
        #expect(good.problems.isEmpty, "\(good.problems)")
        let user = try #require(good.payload.users.first)
        #expect(!user.extra.keys.contains { $0.hasPrefix("@odata.") }, "\(user.extra.keys)")
        let odd = read(
            #"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{"id": "0000a001-0000-4000-8000-0000000000e2", "userPrincipalName": "odd@contoso.com", "displayName": "Odd", "userType": "Visitor"}]}"#
        )
        #expect(
            odd.problems.map(\.description).contains { $0.contains(#"odd@contoso.com: userType is Member or Guest in Entra, not "Visitor""#) },
            "\(odd.problems)")
    }

    @Test("still refused, with why: a new user without a UPN (and the $select to use), the all-zero GUID, a duplicate id")
    func stillRefused() throws {
        let missing = read(
            #"{"value": [{"id": "c0ffee00-0000-4000-8000-000000000001", "displayName": "No UPN", "mail": "x@contoso.com"}]}"#, name: "users.json")
        #expect(
            missing.problems.first?.reason
                == "c0ffee00-0000-4000-8000-000000000001 is not in the tenant, and a new user needs userPrincipalName: export with $select=id,userPrincipalName,displayName,mail"
        )
        let zero = read(
            #"{"value": [{"id": "00000000-0000-0000-0000-000000000000", "userPrincipalName": "z@contoso.com", "displayName": "Zero"}]}"#, name: "users.json")
        #expect(zero.problems.contains { $0.reason.contains("placeholder") }, "\(zero.problems)")
        let twice = read(
            #"[{"id": "c0ffee00-0000-4000-8000-000000000002", "userPrincipalName": "a@contoso.com", "displayName": "A"}, {"id": "C0FFEE00-0000-4000-8000-000000000002", "userPrincipalName": "b@contoso.com", "displayName": "B"}]"#,
            name: "users.json")
        #expect(twice.problems.contains { $0.reason.contains("duplicate id") }, "\(twice.problems)")
    }

    @Test("a tenant's rule LicenseDesk doesn't evaluate is kept with its members, never recomputed, and said to be not evaluated here")
    func ruleNotEvaluatedHere() throws {
        var tenant = DemoTenant.make()
        let members = tenant.users.prefix(3).map(\.id)
        let text = """
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "value": [{"id": "e0000000-0000-4000-8000-0000000000e1",
              "displayName": "Contractors", "groupTypes": ["DynamicMembership"], "securityEnabled": true, "mailEnabled": false,
              "membershipRule": "(user.employeeType -eq \\"Contractor\\")", "membershipRuleProcessingState": "On",
              "members": [\(members.map { "{\"id\": \"\($0)\"}" }.joined(separator: ","))]}]}
            """
        let outcome = read(text, into: tenant)
        #expect(outcome.problems.isEmpty, "a rule Entra accepted is never refused: \(outcome.problems)")
        try tenant.apply(.importDirectory(outcome.payload), context: context)
        try tenant.apply(.setUserAttributes(userID: members[0], values: ["department": "Elsewhere"]), context: context)
        try tenant.apply(.processPending, context: context)
        let group = try #require(tenant.group(id: "e0000000-0000-4000-8000-0000000000e1"))
        #expect(group.members == members, "the tenant's members stay: nothing here can say otherwise")
        #expect(tenant.portalStatus(of: group) == .notEvaluatedHere)
        #expect(tenant.notEvaluatedReason(of: group)?.contains("employeeType") == true)
        #expect(tenant.portalStatus(of: try #require(tenant.group(id: DemoTenant.e3AllGroupID))) != .notEvaluatedHere)
        // A preview says it can't show what a change does to that group's members.
        let preview = try tenant.preview(.setUserAttributes(userID: members[1], values: ["department": "Sales"]), context: context)
        #expect(preview.summary().first?.hasPrefix("Not evaluated here: Contractors") == true, "\(preview.summary())")
    }

    @Test("PowerShell's unselected properties ([], an object of nulls, null) never clear what the state has")
    func powerShellUnselectedKeepsData() throws {
        var tenant = DemoTenant.make()
        let allan = try #require(
            tenant.users.first { !$0.assignedLicenses.isEmpty && !$0.proxyAddresses.isEmpty } ?? tenant.users.first { !$0.assignedLicenses.isEmpty })
        let text = """
            [{"Id": "\(allan.id)", "DisplayName": "\(allan.displayName)", "UserPrincipalName": "\(allan.userPrincipalName)", "AssignedLicenses": [],
              "LicenseAssignmentStates": [], "ProxyAddresses": [], "OnPremisesExtensionAttributes": {"ExtensionAttribute10": null, "ExtensionAttribute1": null},
              "City": null, "JobTitle": "Rehearsed", "AdditionalProperties": {}}]
            """
        let outcome = read(text, into: tenant)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        try tenant.apply(.importDirectory(outcome.payload), context: context)
        let after = try tenant.findUser(allan.id)
        #expect(after.assignedLicenses == allan.assignedLicenses && after.licenseAssignmentStates == allan.licenseAssignmentStates)
        #expect(
            after.proxyAddresses == allan.proxyAddresses
                && after.strings.all.filter { $0.slot != StringSlot.slot(named: "jobTitle")! }.map(\.value)
                    == allan.strings.all.filter { $0.slot != StringSlot.slot(named: "jobTitle")! }.map(\.value)
        )
        #expect(after.strings[StringSlot.slot(named: "jobTitle")!] == "Rehearsed", "what was selected is taken")
    }
}
