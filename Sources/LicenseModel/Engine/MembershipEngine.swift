import Foundation
import MembershipRules

/// Dynamic membership: evaluates rules and records who joins and who leaves.
enum MembershipEngine {
    struct Change {
        var joined: [String] = []
        var left: [String] = []
    }

    /// Evaluates dynamic groups over every user, all groups in one parallel pass. Members who
    /// still match keep their place in the join order; new members are appended in the
    /// tenant's user order.
    static func evaluateGroups(
        _ tenant: inout Tenant, groupsAt indices: [Int], now: Date, progress: ProcessingProgress? = nil
    ) -> [Int: Change] {
        var changes: [Int: Change] = [:]
        var evaluated: [Int] = []
        var rules: [MembershipRule] = []
        for index in indices {
            guard let rule = tenant.compiledRules[tenant.groups[index].id] else {
                tenant.groups[index].membershipProcessingStatus = .failed
                changes[index] = Change()
                continue
            }
            evaluated.append(index)
            rules.append(rule)
        }
        let total = tenant.users.count
        let label = evaluated.count == 1 ? tenant.groups[evaluated[0]].displayName : "\(evaluated.count) groups"
        var report: (@Sendable (Int) -> Void)?
        if let progress { report = { done in progress.report("Evaluating", label, done: done, total: total) } }
        let matches = ParallelEvaluation.matches(
            rules: rules, users: tenant.users, memberships: tenant.memberships, now: now, progress: report)
        for (position, index) in evaluated.enumerated() {
            changes[index] = setMembers(&tenant, groupAt: index, matching: matches[position], now: now)
        }
        return changes
    }

    /// Re-evaluates one user against every active dynamic group.
    static func evaluateUser(_ tenant: inout Tenant, userID: String, now: Date) -> [String: Change] {
        guard let user = tenant.user(id: userID) else { return [:] }
        let context = RuleContext(now: now)
        var changes: [String: Change] = [:]
        for index in tenant.groups.indices where tenant.groups[index].isDynamic && !tenant.groups[index].isPaused {
            // Only the id is kept: a copy of the group would share its members array, and the
            // append or removal below would then copy every member (a million, at scale).
            let groupID = tenant.groups[index].id
            guard let rule = tenant.compiledRules[groupID] else { continue }
            let matches = rule.matches(tenant.ruleView(of: user), context: context)
            let isMember = tenant.memberships[userID]?.contains(groupID) ?? false
            guard matches != isMember else { continue }
            var change = Change()
            if matches {
                tenant.groups[index].members.append(userID)
                tenant.memberships[userID, default: []].insert(groupID)
                change.joined = [userID]
            } else {
                if let position = tenant.groups[index].members.firstIndex(of: userID) {
                    tenant.groups[index].members.remove(at: position)
                }
                tenant.memberships[userID]?.remove(groupID)
                change.left = [userID]
            }
            tenant.groups[index].lastMembershipUpdated = now
            changes[groupID] = change
        }
        return changes
    }

    /// `matching`: indices into `tenant.users`, ascending.
    private static func setMembers(_ tenant: inout Tenant, groupAt index: Int, matching: [Int], now: Date) -> Change {
        let group = tenant.groups[index]
        var matchingIDs = Set<String>(minimumCapacity: matching.count)
        for userIndex in matching { matchingIDs.insert(tenant.users[userIndex].id) }
        var change = Change()
        var members = group.members.filter { matchingIDs.contains($0) }
        change.left = group.members.filter { !matchingIDs.contains($0) }
        let current = Set(members)
        for userIndex in matching where !current.contains(tenant.users[userIndex].id) {
            members.append(tenant.users[userIndex].id)
            change.joined.append(tenant.users[userIndex].id)
        }
        for id in change.left { tenant.memberships[id]?.remove(group.id) }
        for id in change.joined { tenant.memberships[id, default: []].insert(group.id) }
        tenant.groups[index].members = members
        tenant.groups[index].membershipProcessingStatus = .succeeded
        tenant.groups[index].lastMembershipUpdated = now
        return change
    }
}

/// Drains the pending work queue in Entra's order: membership first, then licences.
enum PendingWorkRunner {
    /// `memoize: false` runs the licence engine for every user (the memo's reference, in tests).
    static func run(
        _ tenant: inout Tenant, context: ChangeContext, progress: ProcessingProgress? = nil, memoize: Bool = true
    ) -> [AuditEvent] {
        var events: [AuditEvent] = []
        let now = context.now
        // Paused groups keep their pending evaluation until resumed.
        let groupsToEvaluate = tenant.pending.drain(\.membershipGroups)
        var indices: [Int] = []
        for groupID in groupsToEvaluate {
            guard let index = tenant.groupIndex[groupID] else { continue }
            if tenant.groups[index].isPaused {
                tenant.pending.enqueue(groupID, in: \.membershipGroups)
                continue
            }
            tenant.groups[index].membershipProcessingStatus = .running
            indices.append(index)
        }
        let changes = MembershipEngine.evaluateGroups(&tenant, groupsAt: indices, now: now, progress: progress)
        for index in indices {
            guard let change = changes[index] else { continue }
            for id in change.joined + change.left { tenant.pending.enqueue(id, in: \.licenseUsers) }
            events.append(
                AuditEvent(
                    activity: "Update group membership", target: tenant.groups[index].displayName,
                    detail: "\(change.joined.count) joined, \(change.left.count) left", actor: context.actor, time: now))
        }
        let usersToEvaluate = tenant.pending.drain(\.membershipUsers)
        for (done, userID) in usersToEvaluate.enumerated() {
            if done % 256 == 0 { progress?.report("Evaluating changed users", "", done: done, total: usersToEvaluate.count) }
            let changes = MembershipEngine.evaluateUser(&tenant, userID: userID, now: now)
            if !changes.isEmpty { tenant.pending.enqueue(userID, in: \.licenseUsers) }
        }
        let usersToLicense = tenant.pending.drain(\.licenseUsers)
        let groupsToLicense = tenant.pending.drain(\.licenseGroups)
        events += LicenceBatch.run(&tenant, users: usersToLicense, groups: groupsToLicense, context: context, progress: progress, memoize: memoize)
        return events
    }
}
