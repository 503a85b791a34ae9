import Foundation
import LicenseModel

/// What changed in the big lists between the snapshot in place and the state a compaction
/// writes: the records to put in a delta (`SnapshotDelta`).
///
/// Found by comparing records, not by following the changes: processing a rule or a group's
/// licence touches users no change names. The comparison is cheap because the state was made
/// from the snapshot by copy-on-write, so an untouched record shares its strings and arrays
/// with the snapshot's and compares equal at a glance.
struct SnapshotDiff<Record: Hashable & Identifiable> where Record.ID == String {
    var changed: [Record] = []
    var removed: [String] = []

    var count: Int { changed.count + removed.count }

    /// nil when applying a delta to `base` could not give `now` exactly: records reordered, or
    /// a new record anywhere but after the rest (the delta appends them), or an id held twice.
    init?(base: [Record], now: [Record], baseIndex: (String) -> Int?, nowIndex: (String) -> Int?) {
        var lastBase = -1
        var sawNew = false
        var matched = 0
        for record in now {
            if let at = baseIndex(record.id) {
                // Kept records must keep their order, and come before every new one.
                guard at > lastBase, !sawNew else { return nil }
                lastBase = at
                matched += 1
                if base[at] != record { changed.append(record) }
            } else {
                sawNew = true
                changed.append(record)
            }
        }
        if matched < base.count {
            // Only records that are gone: a second record with a kept id is not "removed".
            var seen = Set<String>()
            for record in base where nowIndex(record.id) == nil && seen.insert(record.id).inserted { removed.append(record.id) }
            guard matched + removed.count == base.count else { return nil }
        }
    }
}

/// The two lists' differences, or why a delta can't hold them.
struct TenantDiff {
    var users: SnapshotDiff<User>
    var groups: SnapshotDiff<Group>

    var records: Int { users.count + groups.count }

    /// nil: the whole snapshot must be written (the lists' own fields changed, or the order).
    init?(base: Tenant, now: Tenant) {
        guard base.fileExtras.users == now.fileExtras.users, base.fileExtras.groups == now.fileExtras.groups,
            let users = SnapshotDiff(
                base: base.users, now: now.users, baseIndex: { base.userIndex(of: $0) }, nowIndex: { now.userIndex(of: $0) }),
            let groups = SnapshotDiff(
                base: base.groups, now: now.groups, baseIndex: { base.groupIndex(of: $0) }, nowIndex: { now.groupIndex(of: $0) })
        else { return nil }
        self.users = users
        self.groups = groups
    }
}
