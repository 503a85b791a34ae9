import Dispatch
import Foundation

/// Brings the user → groups index (`Tenant.memberships`) in line after groups were evaluated.
///
/// At a million users and hundreds of groups that is tens of millions of set insertions, so the
/// changes are first bucketed by user (counting sort, no hashing), each user's new set is built
/// on all cores from the old one, and only the final store, one per user, is sequential.
enum MembershipIndexUpdate {
    static func apply(_ changes: [MembershipEngine.IndexedChange], groupIDs: [String], to tenant: inout Tenant) {
        // Nothing moved: no per-user tables (4 MB at a million users) for nothing.
        guard changes.contains(where: { !$0.joined.isEmpty || !$0.left.isEmpty }) else { return }
        let userCount = tenant.users.count
        // Bucket the changes by user: +position+1 joined, -(position+1) left.
        var counts = [Int32](repeating: 0, count: userCount + 1)
        for change in changes {
            for user in change.joined { counts[user + 1] += 1 }
            for user in change.left { counts[user + 1] += 1 }
        }
        for user in stride(from: 1, through: userCount, by: 1) { counts[user] += counts[user - 1] }
        let total = Int(counts[userCount])
        guard total > 0 else { return }
        var next = counts
        var entries = [Int32](repeating: 0, count: total)
        for (position, change) in changes.enumerated() {
            for user in change.joined {
                entries[Int(next[user])] = Int32(position + 1)
                next[user] += 1
            }
            for user in change.left {
                entries[Int(next[user])] = -Int32(position + 1)
                next[user] += 1
            }
        }
        let changedUsers = (0..<userCount).reduce(0) { $0 + (counts[$1 + 1] > counts[$1] ? 1 : 0) }
        tenant.memberships.reserveCapacity(min(userCount, tenant.memberships.count + changedUsers))
        let updated = newSets(
            users: tenant.users, memberships: tenant.memberships, offsets: counts, entries: entries, groupIDs: groupIDs)
        for chunk in updated {
            for (user, set) in chunk { tenant.memberships[tenant.users[user].id] = set }
        }
    }

    /// Each changed user's new group set, built in parallel from the old one. Takes the index
    /// as an argument so no reference to it outlives the call (the caller then mutates it in
    /// place without a copy).
    private static func newSets(
        users: [User], memberships: [String: Set<String>], offsets: [Int32], entries: [Int32], groupIDs: [String]
    ) -> [[(Int, Set<String>)]] {
        let chunkSize = 16_384
        let chunkCount = (users.count + chunkSize - 1) / chunkSize
        let slots = ChunkSlots<[(Int, Set<String>)]>(chunks: chunkCount)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            var found: [(Int, Set<String>)] = []
            // Users who are in no group yet and join the same groups get one shared set (copied
            // on write): at load, a million users fall into a few thousand combinations.
            var made: [ArraySlice<Int32>: Set<String>] = [:]
            for user in chunk * chunkSize..<min(users.count, (chunk + 1) * chunkSize) {
                let start = Int(offsets[user]), end = Int(offsets[user + 1])
                guard start < end else { continue }
                let old = memberships[users[user].id]
                if old == nil, let shared = made[entries[start..<end]] {
                    found.append((user, shared))
                    continue
                }
                var set = old ?? Set(minimumCapacity: end - start)
                for entry in entries[start..<end] {
                    if entry > 0 { set.insert(groupIDs[Int(entry) - 1]) } else { set.remove(groupIDs[Int(-entry) - 1]) }
                }
                if old == nil { made[entries[start..<end]] = set }
                found.append((user, set))
            }
            slots.store(found, at: chunk)
        }
        return slots.slots.map { $0 ?? [] }
    }
}

extension MembershipIndexUpdate {
    /// Builds the user → groups index from the groups' member lists (after a load or a
    /// structural change), and interns each member id as the user's own id string, which halves
    /// the memory of member lists and lets `position(ofMember:)` find members by identity.
    /// `memberUsers`: the members already resolved to user indices (see `Tenant.init`).
    static func rebuild(_ tenant: inout Tenant, memberUsers: [[Int]]? = nil) {
        tenant.memberships = [:]
        let fits = memberUsers.map { lists in
            lists.count == tenant.groups.count && zip(lists, tenant.groups).allSatisfy { $0.count == $1.members.count }
        }
        let resolved = fits == true ? memberUsers! : resolve(groups: tenant.groups, users: tenant.users, userIndex: tenant.userIndex)
        var changes: [MembershipEngine.IndexedChange] = []
        changes.reserveCapacity(tenant.groups.count)
        for (group, users) in resolved.enumerated() {
            var change = MembershipEngine.IndexedChange()
            change.joined = users.contains(-1) ? users.filter { $0 >= 0 } : users
            for (position, user) in users.enumerated() {
                if user >= 0 {
                    // Already the user's own string when it came from the snapshot cache.
                    if StringIdentity(tenant.groups[group].members[position]) != StringIdentity(tenant.users[user].id) {
                        assert(tenant.groups[group].members[position] == tenant.users[user].id, "member resolved to another user")
                        tenant.groups[group].members[position] = tenant.users[user].id
                    }
                } else {
                    // A member that is not a user of this tenant keeps its entry, as ever.
                    tenant.memberships[tenant.groups[group].members[position], default: []].insert(tenant.groups[group].id)
                }
            }
            changes.append(change)
        }
        apply(changes, groupIDs: tenant.groups.map(\.id), to: &tenant)
    }

    /// Each group's members as user indices (-1: not a user), groups spread over the cores.
    /// A member id that is the user's own string (interned, or read from the snapshot cache) is
    /// found by its two words, a cheap integer look-up; any other by value. The identity map
    /// is made only when there are enough members to repay making it.
    static func resolve(groups: [Group], users: [User], userIndex: [String: Int]) -> [[Int]] {
        var byIdentity: [StringIdentity: Int] = [:]
        let memberCount = groups.reduce(0) { $0 + $1.members.count }
        // With duplicate ids the index keeps the first user; the identity map would not agree.
        if userIndex.count == users.count && memberCount >= users.count / 8 {
            byIdentity.reserveCapacity(users.count)
            for index in users.indices { byIdentity[StringIdentity(users[index].id)] = index }
        }
        let identities = byIdentity
        let slots = ChunkSlots<[Int]>(chunks: groups.count)
        DispatchQueue.concurrentPerform(iterations: groups.count) { group in
            slots.store(groups[group].members.map { identities[StringIdentity($0)] ?? userIndex[$0] ?? -1 }, at: group)
        }
        return slots.slots.map { $0 ?? [] }
    }
}
