import Foundation
import Testing

@testable import LicenseModel

/// Single users re-evaluated after a change (`UserEvaluation`, through the rule index) must end
/// where a full evaluation of every group would put them.
@Suite("Re-evaluating changed users")
struct UserEvaluationTests {
    @Test("after hundreds of attribute changes, a full evaluation of every group finds nothing to move")
    func sameAsFullEvaluation() throws {
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
        var tenant = SyntheticTenant.make(users: 2_000, groups: 24)
        // A memberOf group over a dynamic one: evaluated after the others, on fresh memberships.
        try tenant.apply(
            .createGroup(
                id: "follower", displayName: "Follower", description: nil,
                membershipRule: #"user.memberOf -any (group.objectId -in ["6e0a0000-0000-4000-8000-000000000000"])"#),
            context: context)
        try tenant.apply(.processPending, context: context)
        var generator = SplitMix(seed: 11)
        let departments = SyntheticTenant.departmentNames
        let cities = SyntheticTenant.cityNames
        for step in 0..<400 {
            let user = tenant.users[Int(generator.next() % 2_000)]
            let values: [String: String?] =
                step % 3 == 0
                ? ["city": cities[Int(generator.next() % 10)]]
                : ["department": departments[Int(generator.next() % 10)], "extensionAttribute5": step % 2 == 0 ? "Contractor" : nil]
            try tenant.apply(.setUserAttributes(userID: user.id, values: values), context: context)
            if step % 50 == 49 { try tenant.apply(.processPending, context: context) }
        }
        try tenant.apply(.processPending, context: context)
        let before = tenant.groups.map { Set($0.members) }
        for group in tenant.groups where group.isDynamic { tenant.pending.enqueue(group.id, in: \.membershipGroups) }
        let effects = try tenant.apply(.processPending, context: context)
        #expect(tenant.groups.map { Set($0.members) } == before)
        let moves = effects.events.filter { $0.activity == "Update group membership" }.map(\.detail)
        #expect(moves.allSatisfy { $0 == "0 joined, 0 left" })
        // The changes did move people: the follower group is not what it was at the start.
        #expect(tenant.group(id: "follower")?.members.isEmpty == false)
        // And the user → groups index agrees with the member lists.
        for group in tenant.groups {
            for member in group.members { #expect(tenant.memberships[member]?.contains(group.id) == true) }
        }
    }

    @Test("leaving several groups on both cores leaves the same lists, in the same order, as one by one")
    func parallelLeaves() throws {
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
        var tenant = SyntheticTenant.make(users: 2_000, groups: 24)
        try tenant.apply(.processPending, context: context)
        var parallel = tenant
        var sequential = tenant
        let onBothCores = UserEvaluation(tenant, parallelLeaveMembers: 0)
        let oneByOne = UserEvaluation(tenant, parallelLeaveMembers: .max)
        var generator = SplitMix(seed: 21)
        var multipleLeaves = 0
        for _ in 0..<300 {
            let user = tenant.users[Int(generator.next() % 2_000)].id
            let values: [String: String?] = [
                "department": SyntheticTenant.departmentNames[Int(generator.next() % 10)],
                "city": SyntheticTenant.cityNames[Int(generator.next() % 10)],
            ]
            try parallel.apply(.setUserAttributes(userID: user, values: values), context: context)
            try sequential.apply(.setUserAttributes(userID: user, values: values), context: context)
            let before = parallel.memberships[user] ?? []
            var timedOut: [String: String] = [:]
            _ = onBothCores.evaluate(&parallel, userID: user, context: context, timedOut: &timedOut)
            _ = oneByOne.evaluate(&sequential, userID: user, context: context, timedOut: &timedOut)
            if before.subtracting(parallel.memberships[user] ?? []).count > 1 { multipleLeaves += 1 }
        }
        #expect(parallel.groups.map(\.members) == sequential.groups.map(\.members))
        #expect(parallel.memberships == sequential.memberships)
        #expect(parallel.groups.map(\.lastMembershipUpdated) == sequential.groups.map(\.lastMembershipUpdated))
        #expect(multipleLeaves > 20)
    }

    @Test("a member is found by identity or by value, and an absent one is not")
    func internedMembers() throws {
        var tenant = SyntheticTenant.make(users: 500, groups: 6)
        tenant.rebuildIndexes()
        let group = try #require(tenant.groups.first { $0.members.count > 10 })
        let member = group.members[5]
        // A copy of the id with its own storage is still found (by value).
        let copy = String(decoding: Array(member.utf8), as: UTF8.self)
        #expect(group.members.position(ofMember: copy) == 5)
        #expect(group.members.position(ofMember: tenant.users[tenant.userIndex[member]!].id) == 5)
        #expect(group.members.position(ofMember: "nobody") == nil)
    }

    @Test("finding a member by halving gives the scan's answer, in user order or not")
    func membersFoundByHalving() throws {
        var tenant = SyntheticTenant.make(users: 3_000, groups: 4)
        tenant.rebuildIndexes()
        let ids = tenant.users.map(\.id)
        var generator = SplitMix(seed: 5)
        // In user order; then with members who joined one by one since (appended out of
        // order); then with members that are not users of the tenant mixed in.
        let inOrder = stride(from: 0, to: ids.count, by: 3).map { ids[$0] }
        var appended = inOrder
        for _ in 0..<40 {
            let id = ids[Int(generator.next() % UInt64(ids.count))]
            if !appended.contains(id) { appended.append(id) }
        }
        // In user order, the halving alone finds every member.
        for (position, member) in inOrder.enumerated() {
            let user = try #require(tenant.userIndex[member])
            #expect(inOrder.positionByHalving(ofMember: member, userAt: user, userIndex: tenant.userIndex) == position)
        }
        var foreign = appended
        foreign.insert("not-a-user-of-this-tenant", at: 200)
        foreign.append("another-stranger")
        for list in [inOrder, appended, foreign] {
            for (position, member) in list.enumerated() {
                guard let user = tenant.userIndex[member] else { continue }
                #expect(list.position(ofMember: ids[user], userAt: user, userIndex: tenant.userIndex) == position)
            }
            // A user who is not in the list is not found.
            let absent = try #require(ids.indices.first { !list.contains(ids[$0]) })
            #expect(list.position(ofMember: ids[absent], userAt: absent, userIndex: tenant.userIndex) == nil)
            // Removal keeps everyone else in order.
            let leaver = list[list.count / 2]
            var removed = list
            let wasThere = removed.removeMember(leaver, userAt: tenant.userIndex[leaver]!, userIndex: tenant.userIndex)
            #expect(wasThere)
            #expect(removed == list.filter { $0 != leaver })
        }
    }
}
