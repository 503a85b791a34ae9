import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// The deltas a snapshot lists (`SnapshotDelta`): read over the base lists, written by a
/// compaction whose changes are a small part of the tenant, removed once a whole snapshot
/// replaces them.
extension SnapshotFiles {
    /// The base lists as read, brought up to the snapshot by its deltas in order. `memberUsers`
    /// (the cache's member indices) is kept right for the groups that did not change and made
    /// again for those that did; nil when users were removed (every index after them moves).
    func apply(
        _ deltas: [SnapshotDelta], users: inout [User], groups: inout [Group], memberUsers: inout [[Int]]?
    ) throws(StateError) {
        guard !deltas.isEmpty else { return }
        var userAt: [String: Int] = [:]
        userAt.reserveCapacity(users.count)
        for index in users.indices where userAt[users[index].id] == nil { userAt[users[index].id] = index }
        var groupAt = Dictionary(groups.indices.map { (groups[$0].id, $0) }) { first, _ in first }
        var changedGroups = Set<Int>()
        var addedUsers = false
        for delta in deltas {
            if delta.users {
                // Not shared like the base's licence arrays (`LicenceArraySharing`): a delta holds
                // a small part of the users.
                let entries: [DeltaEntry<User>] = try readDelta(SnapshotDelta.usersFile(delta.sequence), reader: DeltaEntryReading.users)
                var removed = Set<String>()
                for entry in entries {
                    switch entry {
                    case .record(let user):
                        if let index = userAt[user.id] {
                            users[index] = user
                        } else {
                            userAt[user.id] = users.count
                            users.append(user)
                            addedUsers = true
                        }
                    case .removed(let id): if userAt[id] != nil { removed.insert(id) }
                    }
                }
                if !removed.isEmpty {
                    users.removeAll { removed.contains($0.id) }
                    userAt = [:]
                    for index in users.indices where userAt[users[index].id] == nil { userAt[users[index].id] = index }
                    memberUsers = nil
                }
            }
            if delta.groups {
                let entries: [DeltaEntry<Group>] = try readDelta(SnapshotDelta.groupsFile(delta.sequence), reader: DeltaEntryReading.groups)
                var removed = Set<String>()
                for entry in entries {
                    switch entry {
                    case .record(let group):
                        if let index = groupAt[group.id] {
                            groups[index] = group
                            changedGroups.insert(index)
                        } else {
                            groupAt[group.id] = groups.count
                            changedGroups.insert(groups.count)
                            groups.append(group)
                        }
                    case .removed(let id): if groupAt[id] != nil { removed.insert(id) }
                    }
                }
                if !removed.isEmpty {
                    groups.removeAll { removed.contains($0.id) }
                    groupAt = Dictionary(groups.indices.map { (groups[$0].id, $0) }) { first, _ in first }
                    memberUsers = nil
                }
            }
        }
        guard var members = memberUsers, members.count + changedGroups.filter({ $0 >= members.count }).count == groups.count else {
            memberUsers = nil
            return
        }
        memberUsers = nil  // let go of the second reference before changing it in place
        for index in changedGroups.sorted() {
            let indices = groups[index].members.map { userAt[$0] ?? -1 }
            if index < members.count { members[index] = indices } else { members.append(indices) }
        }
        // A member no user held in the base may be one of the users a delta added.
        if addedUsers {
            for group in members.indices where !changedGroups.contains(group) {
                for slot in members[group].indices where members[group][slot] < 0 {
                    members[group][slot] = userAt[groups[group].members[slot]] ?? -1
                }
            }
        }
        memberUsers = members
    }

    /// One delta file's records. A file the desk lists and that is not there is damage, named.
    private func readDelta<Record: Codable & Sendable & Identifiable>(
        _ name: String, reader: ListReader<DeltaEntry<Record>>
    ) throws(StateError) -> [DeltaEntry<Record>] where Record.ID == String {
        let file = store.path(name)
        guard DurableFile.isPresent(file) else {
            throw .unreadable(
                file: file, line: nil, column: nil,
                reason: "is missing, yet \(StateFileName.desk) lists it (snapshotDeltas): changes since \(StateFileName.users) "
                    + "was written are in it; restore it from a backup")
        }
        return try decodeList(at: file, reader: reader).value
    }

    /// Delta files no snapshot lists: what a compaction killed before its commit point left,
    /// or the deltas a whole snapshot replaced. Only with `compaction.lock` or the state's
    /// exclusive lock held, when no compactor is putting one in place.
    func removeUnlistedDeltas() {
        guard let desk = try? readDesk() else { return }
        var listed = Set((desk.snapshotDeltas ?? []).flatMap(\.files))
        // A compaction past its commit point lists its own in `licensedesk.json.next`.
        if let data = try? DurableFile.read(store.path(StateFileName.desk) + ".next"),
            let next = try? StateJSON.decoder().decode(DeskFile.self, from: data)
        {
            listed.formUnion((next.snapshotDeltas ?? []).flatMap(\.files))
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        for name in names where SnapshotDelta.isDeltaName(name) && !listed.contains(name) {
            unlink(store.path(name))
            CrashPoint.pass("remove \(name), which no snapshot lists")
        }
    }

    /// Writes one delta file of `diff`, or nothing when it is empty. Its bytes.
    func writeDelta<Record: Codable & Sendable & Hashable & Identifiable>(
        _ diff: SnapshotDiff<Record>, to path: String
    ) throws(StateError) -> Int where Record.ID == String {
        guard diff.count > 0 else { return 0 }
        let entries = diff.changed.map { DeltaEntry.record($0) } + diff.removed.map { DeltaEntry<Record>.removed($0) }
        try writeList(GraphListFile(entries), [:], to: path, chunkSize: 1_024)
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
