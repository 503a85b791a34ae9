import Foundation

/// Processes the licence queue in one pass: users whose memberships changed, and every member
/// (and former member) of each group whose licences changed or that was reprocessed. Each user
/// is reconciled once, however many queued groups it is in, with those groups' paths retried.
///
/// Seat order under shortage is Entra's: the queued users first, then each queued group in
/// queue order, its members in join order, then its former members (who free seats); a user
/// already visited is not visited again.
enum LicenceBatch {
    static func run(
        _ tenant: inout Tenant, users: [Int], groups groupIDs: [String], context: ChangeContext,
        progress: ProcessingProgress? = nil, memoize: Bool = true
    ) -> [AuditEvent] {
        var groupPositions: [String: Int] = [:]
        var groups: [Int] = []
        for id in groupIDs {
            guard let index = tenant.groupIndex[id], groupPositions[id] == nil else { continue }
            groupPositions[id] = groups.count
            groups.append(index)
        }
        var events: [AuditEvent] = []
        for index in groups {
            tenant.groups[index].licenseProcessingState = .processingInProgress
            events.append(
                AuditEvent(
                    activity: "Start applying group based license to users", target: tenant.groups[index].displayName,
                    detail: "", actor: context.actor, time: context.now))
        }

        let visits = visits(tenant, users: users, groups: groups, positions: groupPositions)
        let order = visits.order
        // A member of a queued group, by its member set: the same answer as the user → groups
        // index when each user id is one user's (the sets come from the groups' member lists);
        // with duplicate ids, where the sets keep only the first user, by the index.
        let byMemberSets = tenant.userIndex.count == tenant.users.count
        // A memo pays only when users repeat a situation: recording one costs about two
        // reconciles, so a handful of users (one attribute change) go straight to the engine.
        let worthMemoizing = memoize && order.count >= ReconcileMemo.smallestBatch
        var memo = ReconcileMemo(tenant: tenant, retry: Set(groupPositions.keys), now: context.now, enabled: worthMemoizing)
        var succeeded = [Int](repeating: 0, count: groups.count)
        var failed = [Int](repeating: 0, count: groups.count)
        var outcomes: [(position: Int, failed: Bool)] = []
        for (done, index) in order.enumerated() {
            if done % 4_096 == 0 { progress?.report("Processing licences", label(tenant, groups), done: done, total: order.count) }
            memo.reconcile(&tenant, userAt: index)
            guard !groupPositions.isEmpty else { continue }
            // Count each queued group's members once: failed if any of the group's paths
            // (one per SKU) has an error.
            outcomes.removeAll(keepingCapacity: true)
            for path in tenant.users[index].licenseAssignmentStates {
                guard let group = path.assignedByGroup else { continue }
                let position = visits.positionsByIdentity[StringIdentity(group)] ?? groupPositions[group] ?? -1
                guard position >= 0 else { continue }
                let isMember =
                    byMemberSets
                    ? visits.memberSets[position].contains(index) : tenant.memberships[tenant.users[index].id]?.contains(group) == true
                guard isMember else { continue }
                if let i = outcomes.firstIndex(where: { $0.position == position }) {
                    outcomes[i].failed = outcomes[i].failed || path.error != .none
                } else {
                    outcomes.append((position, path.error != .none))
                }
            }
            for outcome in outcomes {
                if outcome.failed { failed[outcome.position] += 1 } else { succeeded[outcome.position] += 1 }
            }
        }

        for (position, index) in groups.enumerated() {
            tenant.groups[index].licenseProcessingState = .processingComplete
            events.append(
                AuditEvent(
                    activity: "Finish applying group based license to users", target: tenant.groups[index].displayName,
                    detail: "[Users successfully assigned licenses: \(succeeded[position]), Users for whom license assignment failed: \(failed[position]).]",
                    result: failed[position] == 0 ? "success" : "failure", actor: context.actor, time: context.now))
        }
        return events
    }

    private static func label(_ tenant: Tenant, _ groups: [Int]) -> String {
        groups.count == 1 ? tenant.groups[groups[0]].displayName : groups.isEmpty ? "" : "\(groups.count) groups"
    }

    /// User indices in the order they are processed, each once. `users`: the queued users,
    /// each once.
    static func visitOrder(_ tenant: Tenant, users: [Int], groups: [Int], positions: [String: Int]) -> [Int] {
        visits(tenant, users: users, groups: groups, positions: positions).order
    }

    /// The visit order, with what was worked out for it and the batch reuses: each queued
    /// group's members as a set of user indices (by queue position), and the queue position
    /// of every group by the identity of its id string (-1: not queued).
    struct Visits {
        var order: [Int]
        var memberSets: [UserSet]
        /// A path names its group with the group's own id string (the engine copies it, the
        /// cache interns it), so most look-ups hash two words instead of an id; a miss is
        /// looked up by value.
        var positionsByIdentity: [StringIdentity: Int]
    }

    static func visits(_ tenant: Tenant, users: [Int], groups: [Int], positions: [String: Int]) -> Visits {
        guard !groups.isEmpty else { return Visits(order: users, memberSets: [], positionsByIdentity: [:]) }
        var order: [Int] = []
        var visited = [Bool](repeating: false, count: tenant.users.count)
        func visit(_ index: Int) {
            guard !visited[index] else { return }
            visited[index] = true
            order.append(index)
        }
        for index in users { visit(index) }
        // The queued groups' members as user indices, worked out on all cores, and as sets.
        let members = MembershipIndexUpdate.resolve(
            groups: groups.map { tenant.groups[$0] }, users: tenant.users, userIndex: tenant.userIndex)
        let memberSets = members.map { UserSet(userCount: tenant.users.count, members: $0) }
        var identities: [StringIdentity: Int] = [:]
        for group in tenant.groups { identities[StringIdentity(group.id)] = positions[group.id] ?? -1 }
        let former = formerMembers(tenant, positions: positions, byIdentity: identities, memberSets: memberSets)
        for position in groups.indices {
            for index in members[position] where index >= 0 { visit(index) }
            for index in former[position] { visit(index) }
        }
        return Visits(order: order, memberSets: memberSets, positionsByIdentity: identities)
    }

    /// Users holding a path from a queued group they are no longer in, each listed under the
    /// first such group in queue order, in user order; users looked at on all cores.
    private static func formerMembers(
        _ tenant: Tenant, positions: [String: Int], byIdentity: [StringIdentity: Int], memberSets: [UserSet]
    ) -> [[Int]] {
        let users = tenant.users
        let chunkSize = 16_384
        let chunks = (users.count + chunkSize - 1) / chunkSize
        let slots = ChunkSlots<[(position: Int, user: Int)]>(chunks: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var found: [(position: Int, user: Int)] = []
            for index in chunk * chunkSize..<min(users.count, (chunk + 1) * chunkSize) {
                var first = Int.max
                for path in users[index].licenseAssignmentStates {
                    guard let group = path.assignedByGroup else { continue }
                    let position = byIdentity[StringIdentity(group)] ?? positions[group] ?? -1
                    if position >= 0, position < first, !memberSets[position].contains(index) { first = position }
                }
                if first != .max { found.append((first, index)) }
            }
            slots.store(found, at: chunk)
        }
        var former = [[Int]](repeating: [], count: memberSets.count)
        for chunk in slots.slots { for entry in chunk ?? [] { former[entry.position].append(entry.user) } }
        return former
    }
}

/// A set of user indices, one bit each.
struct UserSet: Sendable {
    private var words: [UInt64]

    init(userCount: Int, members: [Int]) {
        words = [UInt64](repeating: 0, count: (userCount + 63) / 64)
        for index in members where index >= 0 { words[index >> 6] |= 1 << UInt64(index & 63) }
    }

    func contains(_ index: Int) -> Bool { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }
}
