import Foundation
import Testing

@testable import LicenseModel

/// The licence queue is processed in one pass with a memo of reconcile outcomes
/// (`ReconcileMemo`). These tests hold it to the plain engine run for every user: the same
/// tenant, to the last date and seat, through shortages, conflicts, reprocesses and toggles.
@Suite("Licence batch and its memo")
struct LicenceBatchTests {
    static let e1 = "18181a46-0d4e-45cd-891e-60aabd171b4e"
    static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
    static let ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"

    /// Two copies of one tenant: `memo` processes with the memo, `plain` without.
    struct Pair {
        var memo: Tenant
        var plain: Tenant

        mutating func apply(_ change: TenantChange, at time: Double) throws {
            let context = ChangeContext(now: Date(timeIntervalSince1970: time), actor: "test")
            try memo.apply(change, context: context)
            try plain.apply(change, context: context)
        }

        mutating func process(at time: Double) -> (memo: [AuditEvent], plain: [AuditEvent]) {
            let context = ChangeContext(now: Date(timeIntervalSince1970: time), actor: "test")
            return (
                PendingWorkRunner.run(&memo, context: context, memoize: true).events,
                PendingWorkRunner.run(&plain, context: context, memoize: false).events
            )
        }
    }

    func synthetic(users: Int) throws -> Pair {
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
        var tenant = Tenant(organization: Organization(id: "org", displayName: "Test", countryLetterCode: "US"))
        try tenant.apply(.addSku(skuId: Self.e1, seats: users / 10, edition: nil), context: context)
        try tenant.apply(.addSku(skuId: Self.e3, seats: users / 3, edition: "2018"), context: context)
        try tenant.apply(.addSku(skuId: Self.ems, seats: users / 5, edition: nil), context: context)
        tenant = SyntheticTenant.withUsers(tenant, count: users)
        // Direct E1 on some users, Sway off for every other one: their E3 group paths
        // conflict on SharePoint, and users alike but for a disabled plan stay apart.
        let sway = SKUCatalog.shared.plan(matching: "SWAY")!.id
        for index in stride(from: 0, to: users / 10, by: 3) {
            let disabled = index % 2 == 0 ? [] : [sway]
            try tenant.apply(.addUserLicense(userID: tenant.users[index].id, skuId: Self.e1, disabledPlans: disabled), context: context)
        }
        for index in 0..<18 {
            let id = "g\(index)"
            try tenant.apply(.createGroup(id: id, displayName: "G\(index)", description: nil, membershipRule: SyntheticTenant.rule(index)), context: context)
            if index % 3 == 0 { try tenant.apply(.addGroupLicense(groupID: id, skuId: Self.e3, disabledPlans: []), context: context) }
            if index % 3 == 1 { try tenant.apply(.addGroupLicense(groupID: id, skuId: Self.ems, disabledPlans: []), context: context) }
        }
        return Pair(memo: tenant, plain: tenant)
    }

    /// The first thing that differs, named briefly (a whole tenant is too long to print).
    func difference(_ pair: Pair) -> String? {
        let (a, b) = (pair.memo, pair.plain)
        if a.subscribedSkus != b.subscribedSkus {
            return "seats: \(a.subscribedSkus.map(\.consumedUnits)) vs \(b.subscribedSkus.map(\.consumedUnits))"
        }
        for (x, y) in zip(a.users, b.users) where x != y {
            return
                "user \(x.id): paths \(x.licenseAssignmentStates) vs \(y.licenseAssignmentStates); plans \(x.assignedPlans.count) vs \(y.assignedPlans.count)"
        }
        for (x, y) in zip(a.groups, b.groups) where x != y { return "group \(x.id)" }
        return a == b ? nil : "elsewhere"
    }

    func errors(_ tenant: Tenant) -> Set<LicenseError> {
        Set(tenant.users.flatMap { $0.licenseAssignmentStates.map(\.error) })
    }

    @Test("with and without the memo: the same paths, plans, dates, seats and audit, step after step")
    func memoMatchesEngine() throws {
        var pair = try synthetic(users: 3_000)
        var events = pair.process(at: 1_800_000_100)
        #expect(difference(pair) == nil)
        #expect(events.memo == events.plain)
        // Not a vacuous comparison: seats ran out and plans conflicted.
        #expect(errors(pair.memo).isSuperset(of: [.none, .countViolation, .mutuallyExclusiveViolation]))
        #expect(pair.memo.sku(id: Self.e3)?.availableUnits == 0)

        var generator = SplitMix(seed: 3)
        let departments = SyntheticTenant.departmentNames
        for _ in 0..<300 {
            let user = pair.memo.users[Int(generator.next() % 3_000)]
            let value = departments[Int(generator.next() % UInt64(departments.count))]
            try pair.apply(.setUserAttributes(userID: user.id, values: ["department": value]), at: 1_800_000_200)
        }
        events = pair.process(at: 1_800_000_300)
        #expect(difference(pair) == nil)
        #expect(events.memo == events.plain)

        try pair.apply(.setSeats(skuId: Self.e3, seats: 2_000), at: 1_800_000_400)
        try pair.apply(.reprocessGroup(groupID: "g0"), at: 1_800_000_400)
        try pair.apply(.reprocessGroup(groupID: "g6"), at: 1_800_000_400)
        let forms = SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id
        try pair.apply(.setGroupPlan(groupID: "g3", skuId: Self.e3, planId: forms, enabled: false), at: 1_800_000_400)
        events = pair.process(at: 1_800_000_500)
        #expect(difference(pair) == nil)
        #expect(events.memo == events.plain)

        try pair.apply(.removeGroupLicense(groupID: "g1", skuId: Self.ems), at: 1_800_000_600)
        try pair.apply(.removeUserLicense(userID: pair.memo.users[0].id, skuId: Self.e1), at: 1_800_000_600)
        try pair.apply(.reprocessGroup(groupID: "g9"), at: 1_800_000_600)
        events = pair.process(at: 1_800_000_700)
        #expect(difference(pair) == nil)
        #expect(events.memo == events.plain)
        // The later runs changed dates on some paths and kept them on others.
        let dates = Set(pair.memo.users.flatMap { $0.licenseAssignmentStates.map(\.lastUpdatedDateTime.timeIntervalSince1970) })
        #expect(dates.count >= 3)
    }

    @Test("a user in several queued groups is reconciled once, in the first group's join order")
    func visitOrder() throws {
        var pair = try synthetic(users: 500)
        _ = pair.process(at: 1_800_000_100)
        let tenant = pair.memo
        let groups = ["g0", "g3"].map { tenant.groupIndex[$0]! }
        let positions = ["g0": 0, "g3": 1]
        let order = LicenceBatch.visitOrder(tenant, users: [], groups: groups, positions: positions)
        #expect(Set(order).count == order.count)
        let expected = (tenant.groups[groups[0]].members + tenant.groups[groups[1]].members).reduce(into: [String]()) { list, id in
            if !list.contains(id) { list.append(id) }
        }
        #expect(order.map { tenant.users[$0].id } == expected)
    }

    @Test("former members follow each group's members, under the first queued group whose path they still hold")
    func formerMembersInOrder() throws {
        var pair = try synthetic(users: 3_000)
        _ = pair.process(at: 1_800_000_100)
        var tenant = pair.memo
        // Some members leave g0 and g3 (and so hold paths from groups they are not in).
        let queued = ["g3", "g0", "g6"]
        var generator = SplitMix(seed: 9)
        for id in ["g0", "g3"] {
            let index = tenant.groupIndex[id]!
            let leavers = Set(tenant.groups[index].members.filter { _ in generator.next() % 4 == 0 })
            tenant.groups[index].members.removeAll { leavers.contains($0) }
            for leaver in leavers { tenant.memberships[leaver]?.remove(id) }
        }
        let groups = queued.map { tenant.groupIndex[$0]! }
        let positions = Dictionary(uniqueKeysWithValues: queued.enumerated().map { ($1, $0) })
        let queuedUsers = [2_999, 5, 17]
        let order = LicenceBatch.visitOrder(tenant, users: queuedUsers, groups: groups, positions: positions)

        // The order spelled out plainly: queued users; then per group, its members, then those
        // holding a path from it (and from no earlier queued group they left) who are not in it.
        var expected: [Int] = []
        func visit(_ index: Int) { if !expected.contains(index) { expected.append(index) } }
        queuedUsers.forEach(visit)
        for (position, group) in groups.enumerated() {
            for member in tenant.groups[group].members { visit(tenant.userIndex[member]!) }
            for index in tenant.users.indices {
                let left = tenant.users[index].licenseAssignmentStates.compactMap(\.assignedByGroup).filter {
                    positions[$0] != nil && !(tenant.memberships[tenant.users[index].id]?.contains($0) ?? false)
                }
                if left.map({ positions[$0]! }).min() == position { visit(index) }
            }
        }
        #expect(order == expected)
        let formerCount = tenant.users.filter { user in
            user.licenseAssignmentStates.contains { path in
                path.assignedByGroup.map { positions[$0] != nil && !(tenant.memberships[user.id]?.contains($0) ?? false) } ?? false
            }
        }.count
        #expect(formerCount > 50)
    }

    /// Each "Finish applying" record's counts, worked out the plain way: the members by the
    /// user → groups index, succeeded or failed by their paths from the group.
    static func expectedCounts(_ tenant: Tenant, group: Group) -> String {
        var succeeded = 0
        var failed = 0
        for user in tenant.users where tenant.memberships[user.id]?.contains(group.id) == true {
            let paths = user.licenseAssignmentStates.filter { $0.assignedByGroup == group.id }
            guard !paths.isEmpty else { continue }
            if paths.contains(where: { $0.error != .none }) { failed += 1 } else { succeeded += 1 }
        }
        return "[Users successfully assigned licenses: \(succeeded), Users for whom license assignment failed: \(failed).]"
    }

    @Test("each group's finish record counts its members as the user → groups index has them, with a shortage, and with two users of one id")
    func finishCounts() throws {
        for duplicated in [false, true] {
            var tenant = SyntheticTenant.make(users: 3_000, groups: 12)
            if duplicated {
                // Two users of one id (a damaged import): the member sets keep the first only,
                // so the batch counts by the index instead.
                tenant.users.append(tenant.users[7])
                tenant.rebuildIndexes()
            }
            let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
            // A shortage: E1's 300 seats for a group of every enabled user.
            let shortage = "5407a2c0-0000-4000-8000-000000000001"
            try tenant.apply(.addSku(skuId: Self.e1, seats: 300, edition: nil), context: context)
            try tenant.apply(
                .createGroup(id: shortage, displayName: "Shortage", description: nil, membershipRule: "user.accountEnabled -eq true"),
                context: context)
            try tenant.apply(.processPending, context: context)
            try tenant.apply(.addGroupLicense(groupID: shortage, skuId: Self.e1, disabledPlans: []), context: context)
            let licensed = tenant.groups.filter { !$0.assignedLicenses.isEmpty }
            #expect(licensed.count >= 2)
            for group in licensed { try tenant.apply(.reprocessGroup(groupID: group.id), context: context) }
            let events = try tenant.apply(.processPending, context: context).events.filter { $0.activity == "Finish applying group based license to users" }
            #expect(events.count == licensed.count)
            var sawFailure = false
            for event in events {
                let group = try #require(tenant.groups.first { $0.displayName == event.target })
                #expect(event.detail == Self.expectedCounts(tenant, group: group), "\(group.displayName), duplicated: \(duplicated)")
                sawFailure = sawFailure || !event.detail.hasSuffix("failed: 0.]")
            }
            #expect(sawFailure, "the shortage left no failure to count")
        }
    }
}
