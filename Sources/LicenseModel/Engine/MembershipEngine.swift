import Dispatch
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
    ///
    /// Each rule's `-match` time is bounded (`MatchBudget`); a group whose rule runs out keeps
    /// its members and is failed with why, and `timedOut` records it for the journal. A replay
    /// (`context.isReplay`) marks the recorded ones failed again without evaluating them, and
    /// evaluates the others without a clock, so it gives the same members as the run did.
    static func evaluateGroups(
        _ tenant: inout Tenant, groupsAt indices: [Int], context: ChangeContext, timedOut: inout [String: String],
        progress: ProcessingProgress? = nil
    ) -> [Int: IndexedChange] {
        let now = context.now
        var changes: [Int: IndexedChange] = [:]
        var evaluated: [Int] = []
        var rules: [MembershipRule] = []
        for index in indices {
            let id = tenant.groups[index].id
            if context.isReplay, let reason = context.timedOutGroups?[id] {
                tenant.groups[index].membershipProcessingStatus = .failed
                tenant.groups[index].membershipProcessingError = reason
                timedOut[id] = reason
                changes[index] = IndexedChange()
                continue
            }
            guard let rule = tenant.compiledRules[tenant.groups[index].id] else {
                tenant.groups[index].membershipProcessingStatus = .failed
                tenant.groups[index].membershipProcessingError = "the membership rule does not compile"
                changes[index] = IndexedChange()
                continue
            }
            evaluated.append(index)
            rules.append(rule)
        }
        // Each run tries the patterns again: the value that took too long may have changed.
        for rule in rules { rule.matchBudget.reset() }
        let total = tenant.users.count
        let label = evaluated.count == 1 ? tenant.groups[evaluated[0]].displayName : "\(evaluated.count) groups"
        var report: (@Sendable (Int) -> Void)?
        if let progress { report = { done in progress.report("Evaluating", label, done: done, total: total) } }
        let users = tenant.users
        let memberships = tenant.memberships
        let evaluate = { ParallelEvaluation.matches(rules: rules, users: users, memberships: memberships, now: now, progress: report) }
        let matches = context.isReplay ? MatchBudget.withoutLimits(rules.map(\.matchBudget), evaluate) : evaluate()
        // New member lists for all groups at once, on all cores (read-only inputs), then stored.
        let outcomes = memberLists(
            old: evaluated.map { tenant.groups[$0].members }, matching: matches, users: tenant.users, userIndex: tenant.userIndex)
        var indexed: [IndexedChange] = []
        var applied: [Int] = []
        for (position, index) in evaluated.enumerated() {
            // A rule whose `-match` ran out of time can't say who belongs: the members stay as
            // they were and the group shows the processing error with the reason.
            if let reason = rules[position].matchBudget.exceeded {
                tenant.groups[index].membershipProcessingStatus = .failed
                tenant.groups[index].membershipProcessingError = reason
                timedOut[tenant.groups[index].id] = reason
                changes[index] = IndexedChange()
                continue
            }
            tenant.groups[index].members = outcomes[position].members
            tenant.groups[index].membershipProcessingStatus = .succeeded
            tenant.groups[index].membershipProcessingError = nil
            tenant.groups[index].lastMembershipUpdated = now
            changes[index] = outcomes[position].change
            indexed.append(outcomes[position].change)
            applied.append(index)
        }
        MembershipIndexUpdate.apply(indexed, groupIDs: applied.map { tenant.groups[$0].id }, to: &tenant)
        return changes
    }

    /// Each group's new member list and who joined and left, groups spread over the cores.
    private static func memberLists(
        old: [[String]], matching: [[Int]], users: [User], userIndex: [String: Int]
    ) -> [(members: [String], change: IndexedChange)] {
        let slots = ChunkSlots<([String], IndexedChange)>(chunks: old.count)
        DispatchQueue.concurrentPerform(iterations: old.count) { group in
            slots.store(memberList(old: old[group], matching: matching[group], users: users, userIndex: userIndex), at: group)
        }
        return slots.slots.map { ($0!.0, $0!.1) }
    }

    /// `matching`: indices into `users`, ascending. Members who still match keep their place;
    /// new ones are appended. Works on user indices: one look-up per old member, no set of ids.
    private static func memberList(
        old: [String], matching: [Int], users: [User], userIndex: [String: Int]
    ) -> ([String], IndexedChange) {
        var change = IndexedChange()
        var members: [String] = []
        members.reserveCapacity(matching.count)
        if old.isEmpty {
            change.joined = matching
            for user in matching { members.append(users[user].id) }
            return (members, change)
        }
        var matches = [Bool](repeating: false, count: users.count)
        for user in matching { matches[user] = true }
        var stays = [Bool](repeating: false, count: users.count)
        for id in old {
            guard let user = userIndex[id] else {
                change.vanished += 1
                continue
            }
            if matches[user] {
                members.append(id)
                stays[user] = true
            } else {
                change.left.append(user)
            }
        }
        for user in matching where !stays[user] {
            members.append(users[user].id)
            change.joined.append(user)
        }
        return (members, change)
    }
}

/// Drains the pending work queue in Entra's order: membership first, then licences.
enum PendingWorkRunner {
    /// `memoize: false` runs the licence engine for every user (the memo's reference, in tests).
    static func run(
        _ tenant: inout Tenant, context: ChangeContext, progress: ProcessingProgress? = nil, memoize: Bool = true
    ) -> (events: [AuditEvent], timedOutGroups: [String: String]) {
        var events: [AuditEvent] = []
        var timedOut: [String: String] = [:]
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
        let changes = MembershipEngine.evaluateGroups(&tenant, groupsAt: indices, context: context, timedOut: &timedOut, progress: progress)
        // The licence queue, by user index from here on (the queue is drained below in this
        // same step): what earlier changes queued, then each user who joined or left, once.
        var licenceUsers = UserQueue(userCount: tenant.users.count)
        for id in tenant.pending.drain(\.licenseUsers) { if let index = tenant.userIndex[id] { licenceUsers.add(index) } }
        licenceUsers.reserve(min(changes.values.reduce(0) { $0 + $1.joined.count + $1.left.count }, tenant.users.count))
        for index in indices {
            guard let change = changes[index] else { continue }
            if tenant.groups[index].membershipProcessingStatus == .failed {
                events.append(
                    AuditEvent(
                        activity: "Update group membership", target: tenant.groups[index].displayName,
                        detail: "processing error: \(tenant.groups[index].membershipProcessingError ?? "the rule could not be evaluated"); members unchanged",
                        result: "failure", actor: context.actor, time: now))
                continue
            }
            for userIndex in change.joined { licenceUsers.add(userIndex) }
            for userIndex in change.left { licenceUsers.add(userIndex) }
            events.append(
                AuditEvent(
                    activity: "Update group membership", target: tenant.groups[index].displayName,
                    detail: "\(change.joined.count) joined, \(change.leftCount) left", actor: context.actor, time: now))
        }
        let usersToEvaluate = tenant.pending.drain(\.membershipUsers)
        if !usersToEvaluate.isEmpty {
            let evaluation = tenant.userEvaluation ?? UserEvaluation(tenant)
            tenant.userEvaluation = evaluation
            // Who joined and left which group through attribute changes, for the audit log.
            var moved: [String: (joined: Int, left: Int)] = [:]
            for (done, userID) in usersToEvaluate.enumerated() {
                if done % 256 == 0 { progress?.report("Evaluating changed users", "", done: done, total: usersToEvaluate.count) }
                let before = tenant.memberships[userID] ?? []
                if evaluation.evaluate(&tenant, userID: userID, context: context, timedOut: &timedOut), let index = tenant.userIndex[userID] {
                    licenceUsers.add(index)
                    let after = tenant.memberships[userID] ?? []
                    for group in after.subtracting(before) { moved[group, default: (0, 0)].joined += 1 }
                    for group in before.subtracting(after) { moved[group, default: (0, 0)].left += 1 }
                }
            }
            for (groupID, counts) in moved.sorted(by: { $0.key < $1.key }) {
                events.append(
                    AuditEvent(
                        activity: "Update group membership", target: tenant.group(id: groupID)?.displayName ?? groupID,
                        detail: "\(counts.joined) joined, \(counts.left) left (attribute changes)", actor: context.actor, time: now))
            }
        }
        let groupsToLicense = tenant.pending.drain(\.licenseGroups)
        events += LicenceBatch.run(
            &tenant, users: licenceUsers.order, groups: groupsToLicense, context: context, progress: progress, memoize: memoize)
        return (events, timedOut)
    }
}

/// User indices in the order first added, each once.
///
/// Which were added is a hash set while the queue is small (one attribute change) and a bit
/// per user once it is big: a full evaluation adds every joined and left user, millions of
/// times, where hashing each was 8 % of a full evaluation in a profile at 300,000 users.
struct UserQueue {
    private(set) var order: [Int] = []
    private var seen = Set<Int>()
    private var seenBits: [UInt64] = []
    private let userCount: Int

    /// Past this many, a bit per user.
    static let bitsFrom = 4_096

    init(userCount: Int) { self.userCount = userCount }

    mutating func add(_ index: Int) {
        if !seenBits.isEmpty, index >= 0, index < userCount {
            let bit: UInt64 = 1 << UInt64(index & 63)
            guard seenBits[index >> 6] & bit == 0 else { return }
            seenBits[index >> 6] |= bit
            order.append(index)
            return
        }
        if seen.insert(index).inserted { order.append(index) }
    }

    /// Room for `count` more; past `bitsFrom` in all, the bit per user.
    mutating func reserve(_ count: Int) {
        order.reserveCapacity(order.count + count)
        guard seenBits.isEmpty else { return }
        if order.count + count >= Self.bitsFrom, userCount > 0 {
            seenBits = [UInt64](repeating: 0, count: (userCount + 63) / 64)
            // Indices outside the tenant (none, in practice) stay in the hash set.
            seen = seen.filter { $0 < 0 || $0 >= userCount }
            for index in order where index >= 0 && index < userCount { seenBits[index >> 6] |= 1 << UInt64(index & 63) }
        } else {
            seen.reserveCapacity(seen.count + count)
        }
    }
}
