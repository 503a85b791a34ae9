import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseModel
@testable import LicenseStore

/// The binary snapshot cache is only a faster way to read the JSON files: the same tenant,
/// used only for the very files it was made from, ignored when damaged.
@Suite("Snapshot cache")
struct SnapshotCacheTests {
    /// A tenant with every kind of user field set somewhere: licences, plans, dates, on-premises
    /// fields, extension properties, other mails and fields LicenseDesk does not model.
    func tenant() throws -> Tenant {
        var tenant = SyntheticTenant.make(users: 400, groups: 8)
        let demo = DemoTenant.make()
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
        try tenant.apply(
            .importDirectory(DirectoryImport(subscribedSkus: demo.subscribedSkus, users: demo.users, groups: demo.groups)), context: context)
        return tenant
    }

    func store(_ directory: TemporaryDirectory, with tenant: Tenant) throws -> StateStore {
        let store = StateStore(directory: directory.path)
        try store.initialise(with: tenant, force: true)
        return store
    }

    @Test("a compacted state loads from the cache, to the same tenant as from its JSON files")
    func sameTenant() throws {
        let directory = TemporaryDirectory()
        let original = try tenant()
        let store = try store(directory, with: original)
        let cached = try #require(SnapshotCache(store: store).read())
        #expect(cached.users.count == original.users.count)
        let fromCache = try store.loadTenant()
        SnapshotCache(store: store).remove()
        let fromJSON = try store.loadTenant()
        #expect(fromCache == fromJSON)
        #expect(fromCache == original)
        #expect(original.users.contains { !$0.licenseAssignmentStates.isEmpty && !$0.assignedPlans.isEmpty })
    }

    @Test("members come back from the cache already resolved to their users: the same membership index as from JSON")
    func membershipIndex() throws {
        let directory = TemporaryDirectory()
        var original = try tenant()
        // A member that is not a user of the tenant, and one listed before the users.
        let stranger = "0badc0de-0000-4000-8000-000000000000"
        original.groups[1].members.insert(stranger, at: 3)
        original.groups[2].members.append(stranger)
        let store = try store(directory, with: original)
        let cached = try #require(SnapshotCache(store: store).read())
        for (group, users) in zip(cached.groups, cached.memberUsers) {
            #expect(users == group.members.map { original.userIndex[$0] ?? -1 })
        }
        let fromCache = try store.loadTenant()
        SnapshotCache(store: store).remove()
        let fromJSON = try store.loadTenant()
        #expect(fromCache.memberships == fromJSON.memberships)
        #expect(fromCache.memberships[stranger] == [original.groups[1].id, original.groups[2].id])
        #expect(fromCache.memberships.count > 200)
        // Members are the users' own id strings (what finding a member by identity relies on).
        for group in fromCache.groups {
            for member in group.members {
                guard let user = fromCache.userIndex[member] else { continue }
                #expect(StringIdentity(member) == StringIdentity(fromCache.users[user].id))
            }
        }
    }

    @Test("fields LicenseDesk does not model and extension properties come back from the cache")
    func unknownFields() throws {
        let directory = TemporaryDirectory()
        let store = try store(directory, with: try tenant())
        let path = directory.file(StateFileName.users)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "      \"displayName\" : \"User 7\",",
            with:
                "      \"ageGroup\" : \"Adult\",\n      \"displayName\" : \"User 7\",\n      \"employeeHireDate\" : \"2020-05-01T00:00:00Z\",\n      \"extension_0123456789abcdef0123456789abcdef_costCentre\" : \"CC-7\",\n      \"otherMails\" : [\"seven@example.org\"],"
        )
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try store.compact()
        let fromCache = try store.loadTenant()
        let seven = try #require(fromCache.users.first { $0.displayName == "User 7" })
        #expect(seven.extra["ageGroup"] == .string("Adult"))
        #expect(seven.customExtensions.values.contains("CC-7"))
        #expect(seven.otherMails == ["seven@example.org"])
        #expect(seven.employeeHireDate == Date(timeIntervalSince1970: 1_588_291_200))
        #expect(SnapshotCache(store: store).read() != nil)
        SnapshotCache(store: store).remove()
        #expect(try store.loadTenant() == fromCache)
    }

    @Test("a users file changed by anyone after the cache was made is read, not the cache")
    func staleCache() throws {
        let directory = TemporaryDirectory()
        let store = try store(directory, with: try tenant())
        #expect(SnapshotCache(store: store).read() != nil)
        let path = directory.file(StateFileName.users)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"displayName\" : \"User 7\"", with: "\"displayName\" : \"Edited by hand\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(SnapshotCache(store: store).read() == nil)
        #expect(try store.loadTenant().users.contains { $0.displayName == "Edited by hand" })
    }

    @Test("the checksum is the same however the bytes are handed over, and moves with any one byte")
    func checksum() {
        var generator = SplitMix(seed: 9)
        let bytes = (0..<1_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var whole = StreamingChecksum()
        whole.update(bytes)
        for cut in [[1], [3, 5, 7], [8, 8, 8], [13, 100, 1, 0, 400]] {
            var pieces = StreamingChecksum()
            var start = 0
            for size in cut {
                pieces.update(Array(bytes[start..<start + size]))
                start += size
            }
            pieces.update(Array(bytes[start...]))
            #expect(pieces.finish() == whole.finish())
        }
        for position in stride(from: 0, to: 1_000, by: 37) {
            var changed = bytes
            changed[position] ^= 0x10
            var other = StreamingChecksum()
            other.update(changed)
            #expect(other.finish() != whole.finish())
        }
    }

    @Test("a damaged cache is ignored whole: cut short, bytes flipped, or not a cache at all")
    func damagedCache() throws {
        let directory = TemporaryDirectory()
        let original = try tenant()
        let store = try store(directory, with: original)
        let path = directory.file(SnapshotCache.fileName)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SplitMix(seed: 5)
        var damaged: [Data] = [good.prefix(good.count / 2), Data("not a cache".utf8), Data()]
        for _ in 0..<40 {
            var bytes = good
            let position = Int(generator.next() % UInt64(bytes.count))
            bytes[position] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            damaged.append(bytes)
        }
        for bytes in damaged {
            // Rewrite in place: the cache file changes, the JSON files it names do not.
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(SnapshotCache(store: store).read() == nil)
            #expect(try store.loadTenant() == original)
        }
    }
}
