import Foundation
import MembershipRules

/// Dynamic membership: evaluates rules and records who joins and who leaves.
enum MembershipEngine {
    /// Who joined and left a group, by index into `tenant.users`.
    struct IndexedChange {
        var joined: [Int] = []
        var left: [Int] = []
        /// Members that left because the user no longer exists.
        var vanished = 0
        var leftCount: Int { left.count + vanished }
    }

    /// Evaluates dynamic groups over every user, all groups in one parallel pass. Members who
    /// still match keep their place in the join order; new members are appended in the
    /// tenant's user order.
    static func evaluateGroups(
        _ tenant: inout Tenant, groupsAt indices: [Int], now: Date, progress: ProcessingProgress? = nil
    ) -> [Int: IndexedChange] {
        var changes: [Int: IndexedChange] = [:]
        var evaluated: [Int] = []
        var rules: [MembershipRule] = []
        for index in indices {
            guard let rule = tenant.compiledRules[tenant.groups[index].id] else {
                tenant.groups[index].membershipProcessingStatus = .failed
                changes[index] = IndexedChange()
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
        var indexed: [IndexedChange] = []
        for (position, index) in evaluated.enumerated() {
            let change = setMembers(&tenant, groupAt: index, matching: matches[position], now: now)
            changes[index] = change
            indexed.append(change)
        }
        MembershipIndexUpdate.apply(indexed, groupIDs: evaluated.map { tenant.groups[$0].id }, to: &tenant)
        return changes
    }

    /// `matching`: indices into `tenant.users`, ascending. Works on user indices (no string
    /// hashing but one look-up per old member); the user → groups index is updated afterwards,
    /// for all groups at once.
    private static func setMembers(_ tenant: inout Tenant, groupAt index: Int, matching: [Int], now: Date) -> IndexedChange {
        var change = IndexedChange()
        let old = tenant.groups[index].members
        var members: [String] = []
        members.reserveCapacity(matching.count)
        if old.isEmpty {
            change.joined = matching
            for userIndex in matching { members.append(tenant.users[userIndex].id) }
        } else {
            var matches = [Bool](repeating: false, count: tenant.users.count)
            for userIndex in matching { matches[userIndex] = true }
            var stays = [Bool](repeating: false, count: tenant.users.count)
            for id in old {
                guard let userIndex = tenant.userIndex[id] else {
                    change.vanished += 1
                    continue
                }
                if matches[userIndex] {
                    members.append(id)
                    stays[userIndex] = true
                } else {
                    change.left.append(userIndex)
                }
            }
            for userIndex in matching where !stays[userIndex] {
                members.append(tenant.users[userIndex].id)
                change.joined.append(userIndex)
            }
        }
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
        // Each user who joined or left is queued once (a million users, not a million times
        // the groups they moved in).
        var queued = [Bool](repeating: false, count: changes.isEmpty ? 0 : tenant.users.count)
        for index in indices {
            guard let change = changes[index] else { continue }
            for userIndex in change.joined + change.left where !queued[userIndex] {
                queued[userIndex] = true
                tenant.pending.enqueue(tenant.users[userIndex].id, in: \.licenseUsers)
            }
            events.append(
                AuditEvent(
                    activity: "Update group membership", target: tenant.groups[index].displayName,
                    detail: "\(change.joined.count) joined, \(change.leftCount) left", actor: context.actor, time: now))
        }
        let usersToEvaluate = tenant.pending.drain(\.membershipUsers)
        if !usersToEvaluate.isEmpty {
            let evaluation = tenant.userEvaluation ?? UserEvaluation(tenant)
            tenant.userEvaluation = evaluation
            for (done, userID) in usersToEvaluate.enumerated() {
                if done % 256 == 0 { progress?.report("Evaluating changed users", "", done: done, total: usersToEvaluate.count) }
                if evaluation.evaluate(&tenant, userID: userID, now: now) { tenant.pending.enqueue(userID, in: \.licenseUsers) }
            }
        }
        let usersToLicense = tenant.pending.drain(\.licenseUsers)
        let groupsToLicense = tenant.pending.drain(\.licenseGroups)
        events += LicenceBatch.run(&tenant, users: usersToLicense, groups: groupsToLicense, context: context, progress: progress, memoize: memoize)
        return events
    }
}
