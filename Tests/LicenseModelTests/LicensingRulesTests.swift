import Foundation
import LicenseModel
import Testing

/// Scenario tests for `specs/licensing.md` §1 (R1–R18) and each licence error of §3.
@Suite("Licensing rules R1–R18 and licence errors")
struct LicensingRulesTests {
    static let e1 = "18181a46-0d4e-45cd-891e-60aabd171b4e"
    static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
    static let ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
    static let audioConferencing = "0c266dff-15dd-4b49-8397-2bb16070ed52"
    static let domesticCalling = "0dab259f-bf13-4952-b7f8-7db8f131b28d"
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
    let catalog = SKUCatalog.shared

    func plan(_ name: String) -> String { catalog.plan(matching: name)!.id }

    /// A tenant with E1, E3 (2018, 16 plans) and EMS, users u1…u4 in GB, and static groups.
    func tenant(e3Seats: Int = 10, country: String = "GB") throws -> Tenant {
        var tenant = Tenant(organization: Organization(id: "org", displayName: "Test", countryLetterCode: country))
        try tenant.apply(.addSku(skuId: Self.e1, seats: 10, edition: nil), context: context)
        try tenant.apply(.addSku(skuId: Self.e3, seats: e3Seats, edition: "2018"), context: context)
        try tenant.apply(.addSku(skuId: Self.ems, seats: 10, edition: nil), context: context)
        for number in 1...4 {
            try tenant.apply(
                .createUser(
                    UserDraft(
                        id: "u\(number)", userPrincipalName: "u\(number)@t.example", displayName: "U\(number)",
                        attributes: ["usageLocation": "GB", "mail": "u\(number)@t.example"])),
                context: context)
        }
        for name in ["A", "B", "C"] {
            try tenant.apply(.createGroup(id: name, displayName: "Group \(name)", description: nil, membershipRule: nil), context: context)
        }
        return tenant
    }

    func enabled(_ tenant: Tenant, _ user: String, _ sku: String) -> Set<String> {
        guard let license = tenant.user(id: user)?.assignedLicenses.first(where: { $0.skuId == sku }) else { return [] }
        return Set(tenant.sku(id: sku)!.planIds).subtracting(license.disabledPlans)
    }

    func path(_ tenant: Tenant, _ user: String, _ sku: String, group: String?) -> LicenseAssignmentState? {
        tenant.user(id: user)?.licenseAssignmentStates.first { $0.skuId == sku && $0.assignedByGroup == group }
    }

    func only(_ names: [String], of sku: String, in tenant: Tenant) -> [String] {
        let keep = Set(names.map(plan))
        return tenant.sku(id: sku)!.planIds.filter { !keep.contains($0) }
    }

    @Test("R1, R2, R3, R8: a direct licence then a group: services added, direct extras kept, direct still editable, one seat")
    func directThenGroup() throws {
        var t = try tenant()
        try t.apply(
            .addUserLicense(userID: "u1", skuId: Self.e3, disabledPlans: only(["EXCHANGE_S_ENTERPRISE", "SWAY"], of: Self.e3, in: t)), context: context)
        try t.apply(.addGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(
            .addGroupLicense(
                groupID: "A", skuId: Self.e3, disabledPlans: only(["SHAREPOINTENTERPRISE", "TEAMS1", "EXCHANGE_S_ENTERPRISE"], of: Self.e3, in: t)),
            context: context)
        try t.apply(.processPending, context: context)
        #expect(enabled(t, "u1", Self.e3) == Set(["EXCHANGE_S_ENTERPRISE", "SWAY", "SHAREPOINTENTERPRISE", "TEAMS1"].map(plan)))
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
        // The direct path stays editable: switch Yammer on directly.
        try t.apply(
            .addUserLicense(userID: "u1", skuId: Self.e3, disabledPlans: only(["EXCHANGE_S_ENTERPRISE", "SWAY", "YAMMER_ENTERPRISE"], of: Self.e3, in: t)),
            context: context)
        #expect(enabled(t, "u1", Self.e3).contains(plan("YAMMER_ENTERPRISE")))
        // Removing the direct path leaves the group path as it is (R8).
        try t.apply(.removeUserLicense(userID: "u1", skuId: Self.e3), context: context)
        #expect(enabled(t, "u1", Self.e3) == Set(["SHAREPOINTENTERPRISE", "TEAMS1", "EXCHANGE_S_ENTERPRISE"].map(plan)))
        #expect(path(t, "u1", Self.e3, group: "A")?.state == .active)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
    }

    @Test("R2, R3: two groups, one SKU: the union of their plans for one seat")
    func twoGroupsOneSku() throws {
        var t = try tenant()
        for group in ["A", "B"] { try t.apply(.addGroupMember(groupID: group, userID: "u2"), context: context) }
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: only(["SWAY"], of: Self.e3, in: t)), context: context)
        try t.apply(.addGroupLicense(groupID: "B", skuId: Self.e3, disabledPlans: only(["TEAMS1"], of: Self.e3, in: t)), context: context)
        try t.apply(.processPending, context: context)
        #expect(enabled(t, "u2", Self.e3) == [plan("SWAY"), plan("TEAMS1")])
        #expect(t.user(id: "u2")?.licenseAssignmentStates.count == 2)
        #expect(t.user(id: "u2")?.assignedLicenses.count == 1)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
        // R5: leaving one group keeps the SKU through the other, with that group's plans only.
        try t.apply(.removeGroupMember(groupID: "A", userID: "u2"), context: context)
        try t.apply(.processPending, context: context)
        #expect(enabled(t, "u2", Self.e3) == [plan("TEAMS1")])
        #expect(t.user(id: "u2")?.assignedPlans.contains { $0.servicePlanId == plan("SWAY") && $0.capabilityStatus == "Deleted" } == true)
        try t.apply(.removeGroupMember(groupID: "B", userID: "u2"), context: context)
        try t.apply(.processPending, context: context)
        #expect(t.user(id: "u2")?.assignedLicenses.isEmpty == true)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 0)
    }

    @Test("R17: E1 and E3 together conflict (MutuallyExclusiveViolation); removing the E1 path clears it at once")
    func e1AndE3() throws {
        var t = try tenant()
        try t.apply(.addUserLicense(userID: "u1", skuId: Self.e1, disabledPlans: []), context: context)
        try t.apply(.addGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        #expect(path(t, "u1", Self.e3, group: "A")?.error == .mutuallyExclusiveViolation)
        #expect(path(t, "u1", Self.e3, group: "A")?.state == .error)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 0)
        #expect(t.membersWithLicenseErrors(of: "A").map(\.id) == ["u1"])
        try t.apply(.removeUserLicense(userID: "u1", skuId: Self.e1), context: context)
        #expect(path(t, "u1", Self.e3, group: "A")?.error == LicenseError.none)
        #expect(path(t, "u1", Self.e3, group: "A")?.state == .active)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
        #expect(t.sku(id: Self.e1)?.consumedUnits == 0)
    }

    @Test("a direct assignment that conflicts is refused with Entra's text, not recorded")
    func directConflictRefused() throws {
        var t = try tenant()
        try t.apply(.addUserLicense(userID: "u1", skuId: Self.e1, disabledPlans: []), context: context)
        #expect(throws: ModelError.refused(EntraMessage.mutuallyExclusive("SharePoint (Plan 2)", "SharePoint (Plan 1)"))) {
            try t.apply(.addUserLicense(userID: "u1", skuId: Self.e3, disabledPlans: []), context: context)
        }
        #expect(t.user(id: "u1")?.licenseAssignmentStates.count == 1)
    }

    @Test("R10: a multi-SKU group with one SKU short: the real error on it, Other on the sibling, nothing assigned")
    func multiSkuAllOrNothing() throws {
        var t = try tenant(e3Seats: 1)
        for user in ["u1", "u2"] { try t.apply(.addGroupMember(groupID: "A", userID: user), context: context) }
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.ems, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        #expect(path(t, "u1", Self.e3, group: "A")?.state == .active)
        #expect(path(t, "u2", Self.e3, group: "A")?.error == .countViolation)
        #expect(path(t, "u2", Self.ems, group: "A")?.error == .other)
        #expect(path(t, "u2", Self.ems, group: "A")?.state == .error)
        #expect(t.user(id: "u2")?.assignedLicenses.isEmpty == true)
        #expect(t.sku(id: Self.ems)?.consumedUnits == 1)
    }

    @Test("R13: a user without a usage location gets group licences through the organisation's country")
    func usageLocationFallback() throws {
        var t = try tenant(country: "CN")
        try t.apply(.addSku(skuId: Self.domesticCalling, seats: 5, edition: nil), context: context)
        try t.apply(.setUserAttributes(userID: "u3", values: ["usageLocation": nil]), context: context)
        for user in ["u1", "u3"] { try t.apply(.addGroupMember(groupID: "A", userID: user), context: context) }
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.domesticCalling, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        // u1 is in GB: allowed. u3 has no location: the organisation's CN, where PSTN calling is not offered.
        #expect(path(t, "u1", Self.domesticCalling, group: "A")?.state == .active)
        #expect(path(t, "u3", Self.domesticCalling, group: "A")?.error == .prohibitedInUsageLocationViolation)
        #expect(t.user(id: "u3")?.usageLocation == nil)
        #expect(throws: ModelError.refused(EntraMessage.invalidUsageLocation)) {
            try t.apply(.addUserLicense(userID: "u3", skuId: Self.e3, disabledPlans: []), context: context)
        }
    }

    @Test("R12: a group that assigns licences can't be deleted")
    func deleteRefused() throws {
        var t = try tenant()
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        #expect(throws: ModelError.self) { try t.apply(.deleteGroup(groupID: "A"), context: context) }
        try t.apply(.removeGroupLicense(groupID: "A", skuId: Self.e3), context: context)
        try t.apply(.deleteGroup(groupID: "A"), context: context)
        #expect(t.group(id: "A") == nil)
    }

    @Test("R16: replacing E1 by E3 in one step moves members without a conflict")
    func swapInOneStep() throws {
        var t = try tenant()
        try t.apply(.addGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e1, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        try t.apply(.replaceGroupLicenses(groupID: "A", add: [AssignedLicense(skuId: Self.e3)], remove: [Self.e1]), context: context)
        try t.apply(.processPending, context: context)
        #expect(t.user(id: "u1")?.assignedLicenses.map(\.skuId) == [Self.e3])
        #expect(t.user(id: "u1")?.hasLicenseErrors == false)
        #expect(t.sku(id: Self.e1)?.consumedUnits == 0)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
    }

    @Test("R18: a dependent plan without its prerequisite in the same group is refused with Entra's message")
    func groupDependency() throws {
        var t = try tenant()
        let refusal = EntraMessage.groupDependency("Office for the Web", requires: "SharePoint (Plan 1) or SharePoint (Plan 2) or SharePoint Kiosk")
        #expect(throws: ModelError.refused(refusal)) {
            try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: [plan("SHAREPOINTENTERPRISE")]), context: context)
        }
        #expect(t.group(id: "A")?.assignedLicenses.isEmpty == true)
    }

    @Test("DependencyViolation: leaving the group that gives Skype while holding Audio Conferencing keeps the path in error")
    func dependencyViolationOnLeave() throws {
        var t = try tenant()
        try t.apply(.addSku(skuId: Self.audioConferencing, seats: 5, edition: nil), context: context)
        // Without Skype for Business, Audio Conferencing can't be assigned directly.
        #expect(throws: ModelError.self) {
            try t.apply(.addUserLicense(userID: "u1", skuId: Self.audioConferencing, disabledPlans: []), context: context)
        }
        try t.apply(.addGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        try t.apply(.addUserLicense(userID: "u1", skuId: Self.audioConferencing, disabledPlans: []), context: context)
        try t.apply(.removeGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(.processPending, context: context)
        let stranded = try #require(path(t, "u1", Self.e3, group: "A"))
        #expect(stranded.state == .activeWithError)
        #expect(stranded.error == .dependencyViolation)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 1)
        // Fix the cause (drop the dependent plan), reprocess the user: the path goes.
        try t.apply(.removeUserLicense(userID: "u1", skuId: Self.audioConferencing), context: context)
        try t.apply(.reprocessUser(userID: "u1"), context: context)
        #expect(path(t, "u1", Self.e3, group: "A") == nil)
        #expect(t.sku(id: Self.e3)?.consumedUnits == 0)
    }

    @Test("DependencyViolation: switching off a prerequisite on the group keeps the members' path as it was, in error")
    func dependencyViolationOnToggle() throws {
        var t = try tenant()
        try t.apply(.addSku(skuId: Self.audioConferencing, seats: 5, edition: nil), context: context)
        try t.apply(.addGroupMember(groupID: "A", userID: "u1"), context: context)
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        try t.apply(.addUserLicense(userID: "u1", skuId: Self.audioConferencing, disabledPlans: []), context: context)
        try t.apply(.setGroupPlan(groupID: "A", skuId: Self.e3, planId: plan("MCOSTANDARD"), enabled: false), context: context)
        try t.apply(.processPending, context: context)
        let kept = try #require(path(t, "u1", Self.e3, group: "A"))
        #expect(kept.error == .dependencyViolation)
        #expect(kept.state == .activeWithError)
        #expect(enabled(t, "u1", Self.e3).contains(plan("MCOSTANDARD")))
    }

    @Test("UniquenessViolation: a licence bringing Exchange to a user whose address another user holds")
    func uniquenessViolation() throws {
        var t = try tenant()
        try t.apply(.setUserAttributes(userID: "u2", values: ["proxyAddresses": "SMTP:shared@t.example"]), context: context)
        try t.apply(.setUserAttributes(userID: "u3", values: ["proxyAddresses": "smtp:SHARED@t.example"]), context: context)
        for user in ["u2", "u3"] { try t.apply(.addGroupMember(groupID: "A", userID: user), context: context) }
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        try t.apply(.processPending, context: context)
        #expect(path(t, "u2", Self.e3, group: "A")?.error == .uniquenessViolation)
        #expect(path(t, "u3", Self.e3, group: "A")?.error == .uniquenessViolation)
        try t.apply(.setUserAttributes(userID: "u3", values: ["proxyAddresses": "smtp:u3@t.example"]), context: context)
        try t.apply(.reprocessGroup(groupID: "A"), context: context)
        try t.apply(.processPending, context: context)
        #expect(path(t, "u2", Self.e3, group: "A")?.error == LicenseError.none)
        #expect(path(t, "u3", Self.e3, group: "A")?.error == LicenseError.none)
    }

    @Test("processing states and the Start/Finish audit events with success and failure counts")
    func processingStatesAndAudit() throws {
        var t = try tenant(e3Seats: 2)
        for user in ["u1", "u2", "u3"] { try t.apply(.addGroupMember(groupID: "A", userID: user), context: context) }
        try t.apply(.addGroupLicense(groupID: "A", skuId: Self.e3, disabledPlans: []), context: context)
        #expect(t.group(id: "A")?.licenseProcessingState == .queuedForProcessing)
        let effects = try t.apply(.processPending, context: context)
        #expect(t.group(id: "A")?.licenseProcessingState == .processingComplete)
        #expect(effects.events.map(\.activity).contains("Start applying group based license to users"))
        let finish = try #require(effects.events.first { $0.activity == "Finish applying group based license to users" })
        #expect(finish.detail == "[Users successfully assigned licenses: 2, Users for whom license assignment failed: 1.]")
        #expect(finish.result == "failure")
        #expect(finish.actor == "test")
    }

    @Test("the space bar's toggle: 3 of 16 becomes 4 of 16 and members' effective plans follow after processing")
    func toggleChangesMembers() throws {
        var t = DemoTenant.make()
        let forms = plan("FORMS_PLAN_E3")
        let member = try #require(t.group(id: DemoTenant.e3SelectedGroupID)?.members.first { $0 != DemoTenant.userID(DemoTenant.directThenGroupUser) })
        #expect(!enabled(t, member, Self.e3).contains(forms))
        try t.apply(.setGroupPlan(groupID: DemoTenant.e3SelectedGroupID, skuId: Self.e3, planId: forms, enabled: true), context: context)
        #expect(t.group(id: DemoTenant.e3SelectedGroupID)?.assignedLicenses.first?.disabledPlans.count == 12)
        try t.apply(.processPending, context: context)
        #expect(enabled(t, member, Self.e3).contains(forms))
        #expect(enabled(t, member, Self.e3).count == 4)
    }
}
