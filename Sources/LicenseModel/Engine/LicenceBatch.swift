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

        let order = visitOrder(tenant, users: users, groups: groups, positions: groupPositions)
        // A memo pays only when users repeat a situation: recording one costs about two
        // reconciles, so a handful of users (one attribute change) go straight to the engine.
        let worthMemoizing = memoize && order.count >= ReconcileMemo.smallestBatch
        var memo = ReconcileMemo(tenant: tenant, retry: Set(groupPositions.keys), now: context.now, enabled: worthMemoizing)
        var succeeded = [Int](repeating: 0, count: groups.count)
        var failed = [Int](repeating: 0, count: groups.count)
        for (done, index) in order.enumerated() {
            if done % 4_096 == 0 { progress?.report("Processing licences", label(tenant, groups), done: done, total: order.count) }
            memo.reconcile(&tenant, userAt: index)
            guard !groupPositions.isEmpty else { continue }
            // Count each queued group's members once: failed if any of the group's paths
            // (one per SKU) has an error.
            let memberOf = tenant.memberships[tenant.users[index].id] ?? []
            var outcomes: [(position: Int, failed: Bool)] = []
            for path in tenant.users[index].licenseAssignmentStates {
                guard let group = path.assignedByGroup, let position = groupPositions[group], memberOf.contains(group) else { continue }
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
        guard !groups.isEmpty else { return users }
        var order: [Int] = []
        var visited = [Bool](repeating: false, count: tenant.users.count)
        func visit(_ index: Int) {
            guard !visited[index] else { return }
            visited[index] = true
            order.append(index)
        }
        for index in users { visit(index) }
        // Former members: users holding a path from a queued group they are no longer in, each
        // listed under the first such group in queue order.
        var former = [[Int]](repeating: [], count: groups.count)
        for index in tenant.users.indices {
            var first: Int?
            for path in tenant.users[index].licenseAssignmentStates {
                guard let group = path.assignedByGroup, let position = positions[group], position < (first ?? .max) else { continue }
                if !(tenant.memberships[tenant.users[index].id]?.contains(group) ?? false) { first = position }
            }
            if let first { former[first].append(index) }
        }
        for (position, group) in groups.enumerated() {
            for member in tenant.groups[group].members { if let index = tenant.userIndex[member] { visit(index) } }
            for index in former[position] { visit(index) }
        }
        return order
    }
}
