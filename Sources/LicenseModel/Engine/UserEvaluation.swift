import Foundation
import MembershipRules

/// Re-evaluates single users (an attribute changed, a user was created) against every active
/// dynamic group. The rules are indexed once (`RuleSetIndex`) and kept on the tenant until a
/// rule changes (`Tenant.compiledRules`), so a user is tried only against the rules its values
/// could satisfy, and only the groups it joins or leaves are touched. Paused groups are in the
/// index and skipped when met, so pausing needs no new index.
///
/// Rules that read `user.memberOf` are evaluated last, one by one, on the memberships the
/// other rules just gave the user.
struct UserEvaluation: Sendable {
    private let indexedGroups: [Int]
    private let ruleSet: RuleSetIndex
    /// The indexed groups' rules, by position (for their `MatchBudget`).
    private let rules: [MembershipRule]
    /// Group index → position in `indexedGroups`, or -1.
    private let positions: [Int]
    private let membershipRuleGroups: [(index: Int, rule: MembershipRule)]

    /// Lists at least this long in all, left at once, are worked on both cores.
    let parallelLeaveMembers: Int

    init(_ tenant: Tenant, parallelLeaveMembers: Int = 100_000) {
        self.parallelLeaveMembers = parallelLeaveMembers
        var indexed: [Int] = []
        var rules: [MembershipRule] = []
        var membershipRuleGroups: [(Int, MembershipRule)] = []
        var positions = [Int](repeating: -1, count: tenant.groups.count)
        for index in tenant.groups.indices where tenant.groups[index].isDynamic {
            guard let rule = tenant.compiledRules[tenant.groups[index].id] else { continue }
            if rule.propertiesRead.contains("memberOf") {
                membershipRuleGroups.append((index, rule))
            } else {
                positions[index] = indexed.count
                indexed.append(index)
                rules.append(rule)
            }
        }
        indexedGroups = indexed
        ruleSet = RuleSetIndex(rules)
        self.rules = rules
        self.positions = positions
        self.membershipRuleGroups = membershipRuleGroups
    }

    /// Returns whether the user joined or left any group.
    func evaluate(_ tenant: inout Tenant, userID: String, context change: ChangeContext, timedOut: inout [String: String]) -> Bool {
        let now = change.now
        if change.isReplay {
            // The run is replayed: no clock (what timed out then is recorded and skipped).
            let recorded = change.timedOutGroups ?? [:]
            let budgets =
                rules.indices.map { (rules[$0].matchBudget, recorded[tenant.groups[indexedGroups[$0]].id]) }
                + membershipRuleGroups.map { ($0.rule.matchBudget, recorded[tenant.groups[$0.index].id]) }
            return MatchBudget.replaying(budgets) {
                evaluateTimed(&tenant, userID: userID, now: now, recorded: recorded, timedOut: &timedOut)
            }
        }
        return evaluateTimed(&tenant, userID: userID, now: now, recorded: [:], timedOut: &timedOut)
    }

    private func evaluateTimed(
        _ tenant: inout Tenant, userID: String, now: Date, recorded: [String: String], timedOut: inout [String: String]
    ) -> Bool {
        let context = RuleContext(now: now)
        guard let userIndex = tenant.userIndex[userID] else { return false }
        // The user's own id string: member lists share its storage (`position(ofMember:)`).
        let id = tenant.users[userIndex].id
        var scratch: [Int] = []
        let matched = ruleSet.matches(tenant.ruleView(of: tenant.users[userIndex]), context: context, scratch: &scratch)
        let current = tenant.memberships[id] ?? []
        var changed = false
        // Groups whose rule ran out of time on a `-match` keep this user as they were.
        var undecided = Set<Int>()
        for (position, rule) in rules.enumerated() {
            let id = tenant.groups[indexedGroups[position]].id
            if let reason = recorded[id] ?? rule.matchBudget.exceeded {
                undecided.insert(position)
                tenant.groups[indexedGroups[position]].membershipProcessingStatus = .failed
                tenant.groups[indexedGroups[position]].membershipProcessingError = reason
                timedOut[id] = reason
            }
        }
        for position in matched where !current.contains(tenant.groups[indexedGroups[position]].id) && !undecided.contains(position) {
            guard !tenant.groups[indexedGroups[position]].isPaused else { continue }
            join(&tenant, groupAt: indexedGroups[position], id: id, now: now)
            changed = true
        }
        let matchedPositions = Set(matched)
        var leaving: [Int] = []
        for groupID in current {
            guard let index = tenant.groupIndex[groupID], index < positions.count, positions[index] >= 0,
                !matchedPositions.contains(positions[index]), !undecided.contains(positions[index]), !tenant.groups[index].isPaused
            else { continue }
            leaving.append(index)
        }
        if !leaving.isEmpty {
            leave(&tenant, groupsAt: leaving, userAt: userIndex, now: now)
            changed = true
        }
        for (index, rule) in membershipRuleGroups where !tenant.groups[index].isPaused {
            if let reason = recorded[tenant.groups[index].id] {
                tenant.groups[index].membershipProcessingStatus = .failed
                tenant.groups[index].membershipProcessingError = reason
                timedOut[tenant.groups[index].id] = reason
                continue
            }
            let matches = rule.matches(tenant.ruleView(of: tenant.users[userIndex]), context: context)
            if let reason = rule.matchBudget.exceeded {
                tenant.groups[index].membershipProcessingStatus = .failed
                tenant.groups[index].membershipProcessingError = reason
                timedOut[tenant.groups[index].id] = reason
                continue
            }
            let isMember = tenant.memberships[id]?.contains(tenant.groups[index].id) ?? false
            guard matches != isMember else { continue }
            if matches { join(&tenant, groupAt: index, id: id, now: now) } else { leave(&tenant, groupAt: index, userAt: userIndex, now: now) }
            changed = true
        }
        return changed
    }

    // Groups are changed through their index, never copied: a copy would share the members
    // array and the append or removal would then copy every member (a million, at scale).
    private func join(_ tenant: inout Tenant, groupAt index: Int, id: String, now: Date) {
        tenant.groups[index].members.append(id)
        tenant.memberships[id, default: []].insert(tenant.groups[index].id)
        tenant.groups[index].lastMembershipUpdated = now
    }

    /// Leaves several groups. Each removal moves the rest of its member list down by one, work
    /// bound by memory speed (the worst attribute changes leave half a dozen lists of 100,000
    /// members); big lists are done on both cores, each list by one of them.
    private func leave(_ tenant: inout Tenant, groupsAt indices: [Int], userAt user: Int, now: Date) {
        let members = indices.reduce(0) { $0 + tenant.groups[$1].members.count }
        guard indices.count > 1, members >= parallelLeaveMembers else {
            for index in indices { leave(&tenant, groupAt: index, userAt: user, now: now) }
            return
        }
        let id = tenant.users[user].id
        let userIndex = tenant.userIndex
        // The lists are taken out of their groups so each is held once (no copy on removal),
        // and handed to the workers by address: each worker changes only its own list.
        var lists = indices.map { index in
            let list = tenant.groups[index].members
            tenant.groups[index].members = []
            return list
        }
        lists.withUnsafeMutableBufferPointer { buffer in
            let base = UInt(bitPattern: buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: buffer.count) { position in
                let list = UnsafeMutablePointer<[String]>(bitPattern: base)! + position
                list.pointee.removeMember(id, userAt: user, userIndex: userIndex)
            }
        }
        for (position, index) in indices.enumerated() {
            tenant.groups[index].members = lists[position]
            lists[position] = []  // the group's list is held once again
            tenant.memberships[id]?.remove(tenant.groups[index].id)
            tenant.groups[index].lastMembershipUpdated = now
        }
    }

    private func leave(_ tenant: inout Tenant, groupAt index: Int, userAt user: Int, now: Date) {
        let id = tenant.users[user].id
        tenant.groups[index].members.removeMember(id, userAt: user, userIndex: tenant.userIndex)
        tenant.memberships[id]?.remove(tenant.groups[index].id)
        tenant.groups[index].lastMembershipUpdated = now
    }
}
