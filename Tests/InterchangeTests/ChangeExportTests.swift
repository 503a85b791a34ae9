import Foundation
import Interchange
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("Export of changes as Graph $batch and PowerShell")
struct ChangeExportTests {
    /// The demo tenant after `changes`, and the journal entries they would have made.
    func rehearse(_ changes: [TenantChange]) throws -> (Tenant, [JournalEntry]) {
        var tenant = DemoTenant.make()
        var entries: [JournalEntry] = []
        for (index, change) in changes.enumerated() {
            let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600 + Double(index)), actor: "alice")
            try tenant.apply(change, context: context)
            entries.append(JournalEntry(sequence: index + 1, context: context, change: change, basedOn: [:]))
        }
        return (tenant, entries)
    }

    static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
    static let ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
    static let newGroup = "0b0b0b0b-0000-4000-8000-000000000001"
    var forms: String { SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id }
    var sway: String { SKUCatalog.shared.plan(matching: "SWAY")!.id }

    func walkthrough() throws -> (Tenant, [JournalEntry]) {
        try rehearse([
            .setGroupPlan(groupID: DemoTenant.e3SelectedGroupID, skuId: Self.e3, planId: forms, enabled: true),
            .createGroup(id: Self.newGroup, displayName: "O'Brien's E3", description: nil, membershipRule: "user.department -eq \"Sales\""),
            .addGroupLicense(groupID: Self.newGroup, skuId: Self.e3, disabledPlans: [sway]),
            .processPending,
            .addUserLicense(userID: DemoTenant.userID(1), skuId: Self.ems, disabledPlans: []),
            .reprocessGroup(groupID: DemoTenant.e3SelectedGroupID),
            .setSeats(skuId: Self.ems, seats: 30),
        ])
    }

    @Test("$batch bodies: Graph's request shapes, at most 20 requests each, each depending on the one before")
    func batchShapes() throws {
        let (tenant, entries) = try walkthrough()
        let plan = ChangePlan(entries: entries, tenant: tenant)
        let batches = BatchExport.batches(plan)
        let requests = batches.flatMap(\.requests)
        #expect(batches.count == 2)
        #expect(batches.allSatisfy { $0.requests.count <= BatchExport.maximumRequests })
        for batch in batches {
            for (index, request) in batch.requests.enumerated() {
                #expect(request.id == String(index + 1))
                #expect(request.dependsOn == (index == 0 ? nil : [String(index)]))
                #expect(["GET", "POST", "PATCH", "DELETE"].contains(request.method))
                #expect(request.url.hasPrefix("/"))
                #expect((request.body != nil) == (request.headers?["Content-Type"] == "application/json"))
            }
        }
        // The new group: upserted by a key Graph knows before it has an id, with its rule.
        let create = requests[0]
        #expect(create.method == "PATCH")
        #expect(create.url == "/groups(uniqueName='licensedesk-\(Self.newGroup)')")
        #expect(create.headers?["Prefer"] == "create-if-missing")
        guard case .object(let group) = create.body else { Issue.record("no body"); return }
        #expect(group["membershipRule"] == .string("user.department -eq \"Sales\""))
        #expect(group["groupTypes"] == .array([.string("DynamicMembership")]))
        #expect(group["mailEnabled"] == .bool(false) && group["securityEnabled"] == .bool(true))
        #expect(group["mailNickname"] == .string("OBriensE3"))
        // The toggled group's licence with its final disabled plans (Forms now on: 4 of 16 on, 12 off).
        let toggle = try #require(requests.first { $0.url == "/groups/\(DemoTenant.e3SelectedGroupID)/assignLicense" })
        guard case .object(let body) = toggle.body, case .array(let add) = body["addLicenses"], case .object(let license) = add.first,
            case .array(let disabled) = license["disabledPlans"]
        else { Issue.record("no addLicenses"); return }
        #expect(license["skuId"] == .string(Self.e3))
        #expect(disabled.count == 12)
        #expect(!disabled.contains(.string(forms)))
        #expect(body["removeLicenses"] == .array([]))
        #expect(requests.contains { $0.url == "/groups(uniqueName='licensedesk-\(Self.newGroup)')/assignLicense" })
        #expect(requests.contains { $0.url == "/users/\(DemoTenant.userID(1))/assignLicense" })
        // Graph has no group reprocess action: each member is reprocessed.
        let reprocess = requests.filter { $0.url.hasSuffix("/reprocessLicenseAssignment") }
        #expect(reprocess.count == tenant.group(id: DemoTenant.e3SelectedGroupID)!.members.count)
        #expect(reprocess.allSatisfy { $0.method == "POST" && $0.body == nil })
        #expect(plan.notExported.contains { $0.contains("seat changes") })
    }

    @Test("the PowerShell script holds the Graph cmdlets with their arguments, quoted so nothing expands")
    func powerShell() throws {
        let (tenant, entries) = try walkthrough()
        let script = PowerShellExport.script(ChangePlan(entries: entries, tenant: tenant), source: "/srv/licensedesk", version: "0.2.0")
        #expect(script.contains("$ErrorActionPreference = 'Stop'"))
        #expect(
            script.contains(
                "$group1 = New-MgGroup -DisplayName 'O''Brien''s E3' -MailEnabled:$false -MailNickname 'OBriensE3' -SecurityEnabled -GroupTypes 'DynamicMembership' -MembershipRule 'user.department -eq \"Sales\"' -MembershipRuleProcessingState 'On'"
            ))
        #expect(
            script.contains("Set-MgGroupLicense -GroupId $group1.Id -AddLicenses @(@{SkuId = '\(Self.e3)'; DisabledPlans = @('\(sway)')}) -RemoveLicenses @()"))
        #expect(script.contains("Set-MgGroupLicense -GroupId '\(DemoTenant.e3SelectedGroupID)' -AddLicenses @(@{SkuId = '\(Self.e3)'; DisabledPlans = @("))
        #expect(
            script.contains(
                "Set-MgUserLicense -UserId '\(DemoTenant.userID(1))' -AddLicenses @(@{SkuId = '\(Self.ems)'; DisabledPlans = @()}) -RemoveLicenses @()"))
        #expect(script.contains("Invoke-MgLicenseUser -UserId '"))
        #expect(script.contains("# Not exported: 1 × seat changes"))
        // The New-MgGroup line comes before the licence that uses its id.
        #expect(script.range(of: "New-MgGroup")!.lowerBound < script.range(of: "$group1.Id")!.lowerBound)
    }

    @Test("the net effect: a group made and deleted in the range, a plan switched off and on, a member added and removed")
    func netEffect() throws {
        let (tenant, entries) = try rehearse([
            .createGroup(id: Self.newGroup, displayName: "Temp", description: nil, membershipRule: nil),
            .addGroupMember(groupID: Self.newGroup, userID: DemoTenant.userID(2)),
            .removeGroupMember(groupID: Self.newGroup, userID: DemoTenant.userID(2)),
            .deleteGroup(groupID: Self.newGroup),
            .setUserAttributes(userID: DemoTenant.userID(3), values: ["jobTitle": "Analyst"]),
        ])
        let plan = ChangePlan(entries: entries, tenant: tenant)
        // The demo's users are synced: their attributes are changed on-premises, not through Graph.
        #expect(plan.operations.isEmpty, "\(plan.operations)")
        #expect(plan.notExported.contains { $0.contains("attribute changes of synced users") })
        #expect(PowerShellExport.script(plan, source: "x", version: "0").contains("# Nothing to do"))
        #expect(BatchExport.batches(plan).isEmpty)
    }

    @Test("a cloud user's attributes become PATCH /users with Graph's property names")
    func cloudUserAttributes() throws {
        let id = "c10d0000-0000-4000-8000-000000000001"
        let (tenant, entries) = try rehearse([
            .createUser(UserDraft(id: id, userPrincipalName: "cloud@contoso.com", displayName: "Cloud", attributes: ["usageLocation": "GB"])),
            .setUserAttributes(userID: id, values: ["department": "Sales", "extensionAttribute10": "E3 All", "jobTitle": nil]),
        ])
        let requests = BatchExport.batches(ChangePlan(entries: entries, tenant: tenant)).flatMap(\.requests)
        #expect(requests.count == 1)
        #expect(requests[0].method == "PATCH" && requests[0].url == "/users/\(id)")
        #expect(
            requests[0].body
                == .object([
                    "department": .string("Sales"), "jobTitle": .null,
                    "onPremisesExtensionAttributes": .object(["extensionAttribute10": .string("E3 All")]),
                ]))
    }
}
