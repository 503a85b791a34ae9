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
    static func run(_ tenant: inout Tenant, context: ChangeContext, progress: ProcessingProgress? = nil) -> [AuditEvent] {
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
        for (done, userID) in usersToLicense.enumerated() {
            if done % 256 == 0 { progress?.report("Processing licences", "", done: done, total: usersToLicense.count) }
            guard let index = tenant.userIndex[userID] else { continue }
            LicenseEngine.reconcile(&tenant, userAt: index, retry: { _ in false }, now: now)
        }
        let groupsToLicense = tenant.pending.drain(\.licenseGroups)
        for groupID in groupsToLicense {
            events += processGroupLicenses(&tenant, groupID: groupID, context: context, progress: progress)
        }
        return events
    }

    /// Processes every member of a group (a licence change or a reprocess), with the
    /// Start/Finish audit events of `specs/licensing.md` §1.3.
    static func processGroupLicenses(
        _ tenant: inout Tenant, groupID: String, context: ChangeContext, progress: ProcessingProgress? = nil
    ) -> [AuditEvent] {
        guard let groupIndex = tenant.groupIndex[groupID] else { return [] }
        let name = tenant.groups[groupIndex].displayName
        tenant.groups[groupIndex].licenseProcessingState = .processingInProgress
        var events = [
            AuditEvent(
                activity: "Start applying group based license to users", target: name, detail: "",
                actor: context.actor, time: context.now)
        ]
        var succeeded = 0
        var failed = 0
        // Members are processed in join order: the seat order under shortage.
        var toVisit = tenant.groups[groupIndex].members
        // Former members still holding a path from the group lose it.
        let members = Set(toVisit)
        for user in tenant.users where !members.contains(user.id) && user.licenseAssignmentStates.contains(where: { $0.assignedByGroup == groupID }) {
            toVisit.append(user.id)
        }
        for (done, userID) in toVisit.enumerated() {
            if done % 64 == 0 { progress?.report("Processing licences", name, done: done, total: toVisit.count) }
            guard let index = tenant.userIndex[userID] else { continue }
            LicenseEngine.reconcile(&tenant, userAt: index, retry: { $0 == groupID }, now: context.now)
            let failedHere = tenant.users[index].licenseAssignmentStates.contains {
                $0.assignedByGroup == groupID && $0.error != .none
            }
            if tenant.memberships[userID]?.contains(groupID) ?? false {
                if failedHere { failed += 1 } else { succeeded += 1 }
            }
        }
        tenant.groups[groupIndex].licenseProcessingState = .processingComplete
        events.append(
            AuditEvent(
                activity: "Finish applying group based license to users", target: name,
                detail: "[Users successfully assigned licenses: \(succeeded), Users for whom license assignment failed: \(failed).]",
                result: failed == 0 ? "success" : "failure", actor: context.actor, time: context.now))
        return events
    }
}
