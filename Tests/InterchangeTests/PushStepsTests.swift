import Foundation
import Interchange
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("Push: steps in rounds, and disabled plans merged with the tenant's")
struct PushStepsTests {
    static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
    static let ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
    static let newGroup = "0b0b0b0b-0000-4000-8000-000000000001"

    static let cloudUser = "c1c1c1c1-0000-4000-8000-000000000001"

    /// The plan for `changes` made to the demo tenant with one cloud-only user more.
    func plan(_ changes: [TenantChange]) throws -> ChangePlan {
        var tenant = DemoTenant.make()
        let draft = UserDraft(
            id: Self.cloudUser, userPrincipalName: "cloud.only@contoso.com", displayName: "Cloud Only", attributes: [:], onPremisesSyncEnabled: nil)
        try tenant.apply(.createUser(draft), context: ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_000), actor: "alice"))
        var entries: [JournalEntry] = []
        for (index, change) in changes.enumerated() {
            let context = ChangeContext(now: Date(timeIntervalSince1970: 1_768_467_600 + Double(index)), actor: "alice")
            try tenant.apply(change, context: context)
            entries.append(JournalEntry(sequence: index + 1, context: context, change: change, basedOn: [:]))
        }
        return ChangePlan(entries: entries, tenant: tenant)
    }

    @Test("a new group goes before its members and licences, a user's usage location before their licence, reprocessing last; the rest in round 0")
    func rounds() throws {
        let plan = try plan([
            .createGroup(id: Self.newGroup, displayName: "Pilot", description: nil, membershipRule: nil, uniqueName: Group.uniqueName(madeHere: Self.newGroup)),
            .addGroupMember(groupID: Self.newGroup, userID: DemoTenant.userID(1)),
            .addGroupMember(groupID: Self.newGroup, userID: DemoTenant.userID(2)),
            .addGroupLicense(groupID: Self.newGroup, skuId: Self.ems, disabledPlans: []),
            .setUserAttributes(userID: Self.cloudUser, values: ["usageLocation": "GB"]),
            .addUserLicense(userID: Self.cloudUser, skuId: Self.ems, disabledPlans: []),
            .removeGroupLicense(groupID: DemoTenant.e3SelectedGroupID, skuId: Self.e3),
            .reprocessUser(userID: DemoTenant.userID(4)),
        ])
        let steps = PushSteps.steps(plan)
        func step(_ match: (ChangePlan.Operation) -> Bool) throws -> PushSteps.Step { try #require(steps.first { match($0.operation) }) }
        let create = try step { if case .createGroup = $0 { true } else { false } }
        let members = steps.filter { if case .addMember = $0.operation { true } else { false } }
        let groupLicence = try step { if case .groupLicenses(let id, _, _, _) = $0 { id == Self.newGroup } else { false } }
        let removal = try step { if case .groupLicenses(let id, _, _, _) = $0 { id == DemoTenant.e3SelectedGroupID } else { false } }
        let location = try step { if case .updateUser = $0 { true } else { false } }
        let userLicence = try step { if case .userLicenses = $0 { true } else { false } }
        let reprocess = try step { if case .reprocessUser = $0 { true } else { false } }
        #expect(create.round == 0 && create.dependsOn.isEmpty)
        #expect(members.count == 2 && members.allSatisfy { $0.dependsOn == [create.number] && $0.round == 1 })
        #expect(groupLicence.dependsOn == [create.number] && groupLicence.round == 1)
        #expect(removal.round == 0 && removal.dependsOn.isEmpty)
        #expect(location.round == 0)
        #expect(userLicence.dependsOn == [location.number] && userLicence.round == 1)
        #expect(reprocess.round == 2)
        // Within a round, a removal that frees seats goes first.
        let first = try #require(PushSteps.rounds(steps).first)
        #expect(first.first?.number == removal.number)
        #expect(PushSteps.rounds(steps).map { $0.map(\.round) } == [[0, 0, 0], [1, 1, 1, 1], [2]].map { $0 })
    }

    @Test("a group made here is addressed by its uniqueName in a later push too; a pulled group by its id")
    func addressing() throws {
        let plan = try plan([
            .createGroup(id: Self.newGroup, displayName: "Pilot", description: nil, membershipRule: nil, uniqueName: Group.uniqueName(madeHere: Self.newGroup))
        ])
        var later = try self.plan([
            .createGroup(id: Self.newGroup, displayName: "Pilot", description: nil, membershipRule: nil, uniqueName: Group.uniqueName(madeHere: Self.newGroup)),
            .addGroupMember(groupID: Self.newGroup, userID: DemoTenant.userID(1)),
        ])
        #expect(plan.newGroupIDs == [Self.newGroup])
        #expect(later.madeHere.contains(Self.newGroup))
        #expect(BatchExport.groupPath(DemoTenant.e3AllGroupID, later) == "/groups/\(DemoTenant.e3AllGroupID)")
        later.newGroupIDs = []
        #expect(BatchExport.groupPath(Self.newGroup, later) == "/groups(uniqueName='licensedesk-\(Self.newGroup)')")
        later.livePaths[Self.newGroup] = "/groups/live-id"
        #expect(BatchExport.groupPath(Self.newGroup, later) == "/groups/live-id")
    }

    @Test("a range that only switched plans records which; adding or replacing a SKU records it whole")
    func toggles() throws {
        let forms = try #require(SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")?.id)
        let sway = try #require(SKUCatalog.shared.plan(matching: "SWAY")?.id)
        let plan = try plan([
            .setGroupPlan(groupID: DemoTenant.e3AllGroupID, skuId: Self.e3, planId: forms, enabled: false),
            .setGroupPlan(groupID: DemoTenant.e3AllGroupID, skuId: Self.e3, planId: sway, enabled: false),
            .setGroupPlan(groupID: DemoTenant.e3AllGroupID, skuId: Self.e3, planId: sway, enabled: true),
            .addGroupLicense(groupID: DemoTenant.e3SelectedGroupID, skuId: Self.ems, disabledPlans: []),
        ])
        #expect(plan.toggledPlans["\(DemoTenant.e3AllGroupID)|\(Self.e3)"] == [forms, sway])
        #expect(plan.toggledPlans["\(DemoTenant.e3SelectedGroupID)|\(Self.ems)"] == nil)
    }

    @Test("merge: the rehearsal decides the plans it switched; the tenant keeps the rest, including plans the rehearsal never knew")
    func merge() {
        let known: Set<String> = ["a", "b", "c", "d"]
        // Switched b off in the rehearsal; the tenant had c off meanwhile, and a new plan x.
        let toggled = DisabledPlanMerge.merge(ours: ["b"], theirs: ["c", "x"], touched: ["b"], known: known)
        #expect(toggled.disabledPlans == ["b", "c", "x"])
        #expect(toggled.keptDisabled == ["c", "x"])
        // Set whole: every known plan as rehearsed, the unknown x still as the tenant has it.
        let whole = DisabledPlanMerge.merge(ours: ["a"], theirs: ["c", "x"], touched: nil, known: known)
        #expect(whole.disabledPlans == ["a", "x"])
        #expect(whole.keptDisabled == ["x"])
        // Rehearsed with d off (untouched in the range) while the tenant has d on: d stays on.
        let untouched = DisabledPlanMerge.merge(ours: ["b", "d"], theirs: [], touched: ["b"], known: known)
        #expect(untouched.disabledPlans == ["b"])
        #expect(untouched.keptEnabled == ["d"])
        // The tenant lacks the SKU: the rehearsal's list stands; case does not matter.
        #expect(DisabledPlanMerge.merge(ours: ["B", "a"], theirs: nil, touched: ["b"], known: known).disabledPlans == ["a", "b"])
    }
}
