import Foundation
import LicenseModel
import Testing

@Suite("Impact preview, pause and resume")
struct PreviewAndPauseTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")

    func membersAndSeats(_ tenant: Tenant) -> ([String: [String]], [String: Int], [String: Set<String>]) {
        let members = Dictionary(uniqueKeysWithValues: tenant.groups.map { ($0.id, $0.members) })
        let seats = Dictionary(uniqueKeysWithValues: tenant.subscribedSkus.map { ($0.skuPartNumber, $0.consumedUnits) })
        let licences = Dictionary(uniqueKeysWithValues: tenant.users.map { ($0.id, Set($0.assignedLicenses.map(\.skuId))) })
        return (members, seats, licences)
    }

    @Test(
        "what the preview of a rule change says equals what applying it does",
        arguments: [
            #"user.extensionAttribute10 -eq "E3 All" -and user.city -ne "Seattle""#,
            #"user.extensionAttribute10 -in ["E3 All", "E3 with Selected Services"]"#,
            #"user.department -eq "R&D""#,
        ])
    func previewEqualsApply(_ rule: String) throws {
        var tenant = DemoTenant.make()
        let change = TenantChange.setGroupRule(groupID: DemoTenant.e3AllGroupID, rule: rule)
        let preview = try tenant.preview(change, context: context)
        let (membersBefore, seatsBefore, _) = membersAndSeats(tenant)
        try tenant.apply(change, context: context)
        try tenant.apply(.processPending, context: context)
        let (membersAfter, seatsAfter, licencesAfter) = membersAndSeats(tenant)
        for membership in preview.memberships {
            let before = Set(membersBefore[membership.groupID] ?? [])
            let after = Set(membersAfter[membership.groupID] ?? [])
            #expect(Set(membership.joined) == after.subtracting(before))
            #expect(Set(membership.left) == before.subtracting(after))
        }
        for (sku, delta) in preview.seatChanges { #expect(seatsAfter[sku]! - seatsBefore[sku]! == delta) }
        for user in preview.users where !user.lostSkus.isEmpty {
            #expect(licencesAfter[user.userID]?.contains(DemoTenant.e3SkuID) == false)
        }
        let changedGroups = membersBefore.filter { membersAfter[$0.key] != $0.value }.count
        #expect(changedGroups == preview.memberships.count)
    }

    @Test("a paused group keeps its pending changes and applies them on resume")
    func pauseAndResume() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(.setGroupPaused(groupID: DemoTenant.e3AllGroupID, paused: true), context: context)
        #expect(tenant.group(id: DemoTenant.e3AllGroupID)?.membershipRuleProcessingState == "Paused")
        try tenant.apply(.setUserAttributes(userID: DemoTenant.userID(1), values: ["extensionAttribute10": nil]), context: context)
        try tenant.apply(
            .setGroupRule(groupID: DemoTenant.e3AllGroupID, rule: #"user.extensionAttribute10 -eq "E3 All" -and user.city -ne "Tulsa""#), context: context)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.group(id: DemoTenant.e3AllGroupID)?.members.contains(DemoTenant.userID(1)) == true)
        #expect(tenant.pending.membershipGroups == [DemoTenant.e3AllGroupID])
        try tenant.apply(.setGroupPaused(groupID: DemoTenant.e3AllGroupID, paused: false), context: context)
        try tenant.apply(.processPending, context: context)
        let members = try #require(tenant.group(id: DemoTenant.e3AllGroupID)?.members)
        #expect(!members.contains(DemoTenant.userID(1)))
        #expect(members.count == 14)
        #expect(tenant.pending.isEmpty)
        #expect(tenant.user(id: DemoTenant.userID(1))?.assignedLicenses.isEmpty == true)
    }
}

@Suite("Previews and deletes with work still queued")
struct QueuedWorkTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")

    @Test("a preview made while other work is queued shows only what its own change does")
    func previewIgnoresQueuedWork() throws {
        var tenant = DemoTenant.make()
        // Another admin's rule change, queued and not yet processed: many members move.
        try tenant.apply(.setGroupRule(groupID: DemoTenant.e3AllGroupID, rule: #"user.accountEnabled -eq true"#), context: context)
        #expect(tenant.hasRunnableWork)
        let change = TenantChange.setGroupPlan(
            groupID: DemoTenant.e3SelectedGroupID, skuId: DemoTenant.e3SkuID, planId: SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id, enabled: true)
        let preview = try tenant.preview(change, context: context)
        // What the change does on its own, measured after the queued work.
        var settled = tenant
        try settled.apply(.processPending, context: context)
        let alone = try settled.preview(change, context: context)
        #expect(preview.users.map(\.userID) == alone.users.map(\.userID))
        #expect(preview.memberships.isEmpty, "the queued rule's joins are not this change's")
        #expect(preview.users.allSatisfy { $0.gainedPlans == ["FORMS_PLAN_E3"] && $0.lostPlans.isEmpty }, "\(preview.users.prefix(3))")
    }

    @Test("deleting a group whose licence removal is still queued gives the seats back once processed, with nothing dangling")
    func deleteAfterQueuedRemoval() throws {
        var tenant = DemoTenant.make()
        let baseline = try #require(tenant.sku(id: DemoTenant.emsSkuID)?.consumedUnits)
        try tenant.apply(.createGroup(id: "mkt", displayName: "Mkt", description: nil, membershipRule: #"user.department -eq "Marketing""#), context: context)
        try tenant.apply(.addGroupLicense(groupID: "mkt", skuId: DemoTenant.emsSkuID, disabledPlans: []), context: context)
        try tenant.apply(.processPending, context: context)
        let used = try #require(tenant.sku(id: DemoTenant.emsSkuID)?.consumedUnits)
        #expect(used > baseline)
        try tenant.apply(.removeGroupLicense(groupID: "mkt", skuId: DemoTenant.emsSkuID), context: context)
        try tenant.apply(.deleteGroup(groupID: "mkt"), context: context)
        try tenant.apply(.processPending, context: context)
        #expect(tenant.sku(id: DemoTenant.emsSkuID)?.consumedUnits == baseline)
        #expect(!tenant.users.contains { $0.licenseAssignmentStates.contains { $0.assignedByGroup == "mkt" } })
        #expect(TenantDoctor.examine(tenant).filter { $0.kind == .danglingReference }.isEmpty)
    }
}
