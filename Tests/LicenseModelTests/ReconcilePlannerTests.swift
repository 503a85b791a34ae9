import Foundation
import LicenseModel
import Testing

/// The reconcile planner: what licence policies give, as direct licences, against what users
/// have; seats, scope, adoption, the circuit breaker and the sync-lag guard.
@Suite("Reconcile: planning direct licences from licence policies")
struct ReconcilePlannerTests {
    static let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
    static let allPolicy = "0000ad01-0000-4000-8000-000000000001"
    static let selectedPolicy = "0000ad01-0000-4000-8000-000000000002"

    /// The demo tenant with its group licensing taken away, and the same rules and licences as
    /// two licence policies, E3 managed: what reconcile starts from.
    static func unlicensedWithPolicies(seats: Int? = nil) throws -> (tenant: Tenant, groupBased: Tenant) {
        let groupBased = DemoTenant.make()
        var tenant = groupBased
        for group in [DemoTenant.e3AllGroupID, DemoTenant.e3SelectedGroupID] {
            try tenant.apply(.removeGroupLicense(groupID: group, skuId: DemoTenant.e3SkuID), context: context)
        }
        for (id, group) in [(allPolicy, DemoTenant.e3AllGroupID), (selectedPolicy, DemoTenant.e3SelectedGroupID)] {
            let source = try #require(groupBased.group(id: group))
            try tenant.apply(
                .createPolicy(id: id, displayName: source.displayName + " policy", description: nil, membershipRule: source.membershipRule!),
                context: context)
            for licence in source.assignedLicenses {
                try tenant.apply(.addGroupLicense(groupID: id, skuId: licence.skuId, disabledPlans: licence.disabledPlans), context: context)
            }
        }
        try tenant.apply(.processPending, context: context)
        if let seats { try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: seats), context: context) }
        try tenant.apply(.setManagedScope(ManagedScope(skuIds: [DemoTenant.e3SkuID])), context: context)
        return (tenant, groupBased)
    }

    static func plan(_ tenant: Tenant, _ configure: (inout ReconcileOptions) -> Void = { _ in }) throws -> ReconcilePlan {
        var options = ReconcileOptions()
        options.now = context.now
        options.maxRemovalPercent = 100
        options.maxRemovals = 1_000
        configure(&options)
        return try ReconcilePlanner.plan(tenant, options: options, runID: "run-\(UUID().uuidString.prefix(8))")
    }

    /// A run's calls as the tenant takes them: direct licences added, changed, removed.
    static func applyAsTheTenant(_ plan: ReconcilePlan, to tenant: inout Tenant) throws {
        try tenant.apply(.reconcilePlanned(plan.run), context: context)
        let results = plan.run.calls.map { ReconcileOutcome.Result(call: $0, state: .done) }
        try tenant.apply(.reconcileFinished(ReconcileOutcome(run: plan.run.id, results: results)), context: context)
        try tenant.apply(.processPending, context: context)
    }

    static func directE3(_ user: User) -> [String]? {
        user.licenseAssignmentStates.first { $0.isDirect && $0.skuId == DemoTenant.e3SkuID }?.disabledPlans.sorted()
    }

    @Test("every managed user is planned exactly the E3 licence group-based licensing gives them with the same rules, plans and SKUs")
    func sameAsGroupBased() throws {
        let (tenant, groupBased) = try Self.unlicensedWithPolicies()
        let plan = try Self.plan(tenant)
        #expect(plan.run.calls.count > 20)
        let planned = Dictionary(uniqueKeysWithValues: plan.run.calls.map { ($0.userID, $0) })
        for user in groupBased.users {
            let expected = user.assignedLicenses.first { $0.skuId == DemoTenant.e3SkuID }
            let hasDirect = tenant.user(id: user.id).map(Self.directE3) ?? nil
            if hasDirect != nil {
                // Direct from before management: left alone, said so.
                #expect(planned[user.id] == nil)
                #expect(plan.run.notAdopted.contains { $0.userID == user.id })
            } else if let expected {
                let call = try #require(planned[user.id], "\(user.userPrincipalName) gets E3 from a group, so from a policy")
                #expect(call.add.map(\.skuId) == [DemoTenant.e3SkuID])
                #expect(call.add.first?.disabledPlans.sorted() == expected.disabledPlans.sorted(), "\(user.userPrincipalName)")
                #expect(call.newSkus == [DemoTenant.e3SkuID])
            } else {
                #expect(planned[user.id] == nil, "\(user.userPrincipalName) is in no policy")
            }
        }
        // Applied, a second plan has nothing to do: the run is idempotent.
        var after = tenant
        try Self.applyAsTheTenant(plan, to: &after)
        #expect(try Self.plan(after).run.calls.isEmpty)
    }

    @Test("a user in two policies gets the union of their plans on one licence")
    func unionAcrossPolicies() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        let user = try #require(tenant.users.first { Self.directE3($0) == nil && $0.strings.all.contains { $0.value == DemoTenant.e3Selected } })
        // A third policy that gives Forms (off in E3 Selected) to this user alone.
        let forms = "2789c901-c14e-48ab-a76a-be334d9d793a"
        let e3 = try #require(tenant.sku(id: DemoTenant.e3SkuID))
        try tenant.apply(
            .createPolicy(
                id: "0000ad01-0000-4000-8000-000000000003", displayName: "Forms", description: nil,
                membershipRule: "user.userPrincipalName -eq \"\(user.userPrincipalName)\""), context: Self.context)
        try tenant.apply(
            .addGroupLicense(groupID: "0000ad01-0000-4000-8000-000000000003", skuId: DemoTenant.e3SkuID, disabledPlans: e3.planIds.filter { $0 != forms }),
            context: Self.context)
        let call = try #require(try Self.plan(tenant).run.calls.first { $0.userID == user.id })
        #expect(call.add.count == 1, "one licence per SKU")
        let selected = try #require(tenant.group(id: Self.selectedPolicy)?.assignedLicenses.first?.disabledPlans)
        #expect(call.add[0].disabledPlans.sorted() == selected.filter { $0 != forms }.sorted(), "Forms is on as well as the three")
        #expect(Set(call.givenBy[DemoTenant.e3SkuID] ?? []) == [Self.selectedPolicy, "0000ad01-0000-4000-8000-000000000003"])
    }

    @Test("seats short: the additions that find no seat are planned CountViolations and not sent; seats the state counts for policies are not taken yet")
    func seatsShort() throws {
        let (tenant, _) = try Self.unlicensedWithPolicies(seats: 10)
        // The tenant's seats in use are the direct licences; the policies' are not sent yet.
        let free = 10 - tenant.users.filter { Self.directE3($0) != nil }.count
        let plan = try Self.plan(tenant)
        #expect(plan.run.calls.count == free)
        #expect(!plan.run.countViolations.isEmpty)
        #expect(plan.run.countViolations.allSatisfy { $0.reason.hasPrefix("CountViolation") && $0.skuId == DemoTenant.e3SkuID })
        #expect(Set(plan.run.calls.map(\.userID)).isDisjoint(with: plan.run.countViolations.map(\.userID)))
    }

    @Test("a removal frees its seat before an addition takes it: the addition goes a phase later")
    func removalsFreeSeatsFirst() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        var after = tenant
        try Self.applyAsTheTenant(try Self.plan(tenant), to: &after)
        tenant = after
        // Every seat taken; then one user leaves E3 All and a newcomer joins it.
        let e3 = try #require(tenant.sku(id: DemoTenant.e3SkuID))
        try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: e3.consumedUnits), context: Self.context)
        let leaver = try #require(tenant.users.first { $0.strings.all.contains { $0.value == DemoTenant.e3All } && Self.directE3($0) != nil })
        let joiner = try #require(tenant.users.first { Self.directE3($0) == nil && $0.assignedLicenses.isEmpty })
        try tenant.apply(.setUserAttributes(userID: leaver.id, values: ["extensionAttribute10": "none"]), context: Self.context)
        try tenant.apply(.setUserAttributes(userID: joiner.id, values: ["extensionAttribute10": DemoTenant.e3All]), context: Self.context)
        let plan = try Self.plan(tenant)
        let removal = try #require(plan.run.calls.first { $0.userID == leaver.id })
        let addition = try #require(plan.run.calls.first { $0.userID == joiner.id })
        #expect(removal.remove == [DemoTenant.e3SkuID] && removal.phase == 0)
        #expect(addition.phase == 1, "sent only after the removal is answered")
        #expect(plan.run.countViolations.isEmpty)
        #expect(plan.run.calls.firstIndex(of: removal)! < plan.run.calls.firstIndex(of: addition)!)
    }

    @Test("outside the scope nothing is touched: another SKU, users the scope rule leaves out, direct licences from before management")
    func scope() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        // EMS is given by a policy but not managed: never planned.
        try tenant.apply(.addGroupLicense(groupID: Self.allPolicy, skuId: DemoTenant.emsSkuID, disabledPlans: []), context: Self.context)
        var plan = try Self.plan(tenant)
        #expect(plan.run.calls.allSatisfy { call in call.add.allSatisfy { $0.skuId == DemoTenant.e3SkuID } && call.remove.isEmpty })
        #expect(plan.notes.contains { $0.contains("not in the managed scope") })
        // Only Seattle's users are managed.
        try tenant.apply(
            .setManagedScope(ManagedScope(skuIds: [DemoTenant.e3SkuID], userRule: #"user.city -eq "Seattle""#)), context: Self.context)
        plan = try Self.plan(tenant)
        for call in plan.run.calls { #expect(tenant.user(id: call.userID)?.strings.all.contains { $0.value == "Seattle" } == true) }
        #expect(plan.managedUsers < tenant.users.count)
    }

    @Test("a direct licence from before management is removed only once adopted, and the plan says which")
    func adoption() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        let holder = try #require(tenant.users.first { Self.directE3($0) != nil })
        // The holder is in no policy: without --adopt the licence stays, and is listed.
        try tenant.apply(.setUserAttributes(userID: holder.id, values: ["extensionAttribute10": "none"]), context: Self.context)
        var plan = try Self.plan(tenant)
        #expect(!plan.run.calls.contains { $0.userID == holder.id })
        #expect(plan.run.notAdopted.contains { $0.userID == holder.id && $0.skuId == DemoTenant.e3SkuID })
        plan = try Self.plan(tenant) { $0.adopt = true }
        #expect(plan.run.adopted.contains { $0.userID == holder.id })
        #expect(plan.run.calls.first { $0.userID == holder.id }?.remove == [DemoTenant.e3SkuID])
    }

    @Test("the circuit breaker refuses a broken rule's removals and names the policy")
    func circuitBreaker() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        var after = tenant
        try Self.applyAsTheTenant(try Self.plan(tenant), to: &after)
        tenant = after
        try tenant.apply(.setGroupRule(groupID: Self.allPolicy, rule: #"user.extensionAttribute10 -eq "E3 Al""#), context: Self.context)
        let plan = try Self.plan(tenant)
        #expect(plan.run.removed > 10)
        var options = ReconcileOptions()
        options.maxRemovals = 50
        options.maxRemovalPercent = 10
        let reason = try #require(plan.breaker(options))
        #expect(reason.contains("E3 All policy") && reason.contains("E3 Al") && reason.contains("--force"), "\(reason)")
        options.maxRemovalPercent = 100
        #expect(plan.breaker(options) == nil)
        options.maxRemovals = 3
        #expect(plan.breaker(options)?.contains("--max-removals") == true)
    }

    @Test("sync lag: a synced user changed on-premises since the last sync, or after a sync too long ago, waits")
    func syncLag() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        try tenant.apply(.runSync(full: true), context: Self.context)
        // Synced just now: nobody waits.
        let fresh = try Self.plan(tenant)
        #expect(fresh.run.held.isEmpty)
        #expect(fresh.run.calls.contains { tenant.user(id: $0.userID)?.onPremisesSyncEnabled == true })
        // Four hours after the last sync: every synced user waits, the cloud-only ones do not.
        let stale = try Self.plan(tenant) { $0.now = Self.context.now.addingTimeInterval(4 * 3_600) }
        #expect(!stale.run.held.isEmpty)
        #expect(stale.run.held.allSatisfy { $0.reason.contains("last directory sync") && tenant.user(id: $0.userID)?.onPremisesSyncEnabled == true })
        #expect(stale.run.calls.allSatisfy { tenant.user(id: $0.userID)?.onPremisesSyncEnabled != true })
        #expect(stale.run.held.count + stale.run.calls.count == fresh.run.calls.count)
    }

    @Test("without a scope, or with a policy whose rule can't be evaluated, nothing is planned and the error says why")
    func cannotPlan() throws {
        var (tenant, _) = try Self.unlicensedWithPolicies()
        try tenant.apply(.setManagedScope(nil), context: Self.context)
        #expect(throws: ModelError.self) { try Self.plan(tenant) }
        try tenant.apply(.setManagedScope(ManagedScope(skuIds: [DemoTenant.e3SkuID])), context: Self.context)
        #expect(throws: ModelError.self) {
            try tenant.apply(.setManagedScope(ManagedScope(skuIds: ["00000000-0000-4000-8000-000000000000"])), context: Self.context)
        }
    }

    @Test("the bookkeeping: added licences are LicenseDesk's once planned, removed ones stop being so once done, refusals are kept")
    func bookkeeping() throws {
        let (tenant, _) = try Self.unlicensedWithPolicies()
        var state = tenant
        let plan = try Self.plan(tenant)
        try state.apply(.reconcilePlanned(plan.run), context: Self.context)
        for call in plan.run.calls { #expect(state.automation.owns(call.userID, DemoTenant.e3SkuID)) }
        #expect(state.automation.runs.last?.status == .sending)
        let refused = plan.run.calls[0]
        var results = plan.run.calls.map { ReconcileOutcome.Result(call: $0, state: .done) }
        results[0] = ReconcileOutcome.Result(call: refused, state: .refused, code: "CountViolation", message: "no seat")
        try state.apply(.reconcileFinished(ReconcileOutcome(run: plan.run.id, results: results)), context: Self.context)
        #expect(state.automation.failures[refused.userID]?.code == "CountViolation")
        #expect(state.automation.runs.last?.status == .partial)
        #expect(state.user(id: refused.userID).map(Self.directE3) ?? nil == nil, "a refused call is not mirrored")
        #expect(state.user(id: plan.run.calls[1].userID).map(Self.directE3) ?? nil != nil, "a done call is mirrored as a direct licence")
        // The refused call is planned again.
        #expect(try Self.plan(state).run.calls.map(\.userID) == [refused.userID])
    }
}
