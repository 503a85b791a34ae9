import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

/// A compaction writes what changed (`SnapshotDelta`) and the snapshot reads back whole.
@Suite("Snapshot deltas")
struct SnapshotDeltaTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "alice")

    func freshStore(users: Int = 300) throws -> (TemporaryDirectory, StateStore) {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: SyntheticTenant.make(users: users, groups: 4), force: false)
        return (directory, store)
    }

    func identity(_ directory: TemporaryDirectory, _ name: String) throws -> SnapshotCache.FileIdentity {
        try #require(SnapshotCache.FileIdentity(path: directory.file(name)))
    }

    func desk(_ directory: TemporaryDirectory) throws -> DeskFile {
        try StateJSON.decoder().decode(DeskFile.self, from: Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.desk))))
    }

    /// Attribute changes, a user removed and one added, a group created and a member added.
    func makeChanges(_ store: StateStore, onto state: inout LoadedState, tag: String) throws {
        let users = state.tenant.users
        for user in users.prefix(3) {
            try store.commit(.setUserAttributes(userID: user.id, values: ["extensionAttribute7": tag]), context: context, onto: &state)
        }
        try store.commit(.removeUser(userID: users[10].id), context: context, onto: &state)
        let added = UUID().uuidString.lowercased()
        try store.commit(
            .createUser(UserDraft(id: added, userPrincipalName: "new.\(tag)@contoso.com", displayName: "New \(tag)")), context: context,
            onto: &state)
        let group = UUID().uuidString.lowercased()
        try store.commit(.createGroup(id: group, displayName: "Delta \(tag)", description: nil, membershipRule: nil), context: context, onto: &state)
        try store.commit(.addGroupMember(groupID: group, userID: added), context: context, onto: &state)
    }

    @Test("a compaction of a few changes writes them as a delta; users.json stays, and the state reads back the same")
    func deltaRoundTrip() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        let usersBefore = try identity(directory, StateFileName.users)
        let cacheBefore = try identity(directory, StateFileName.cache)
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "one")
        guard case .compacted(let report) = try store.compact() else {
            Issue.record("did not compact")
            return
        }
        // 3 changed users, 1 removed, 1 added, 1 new group, and the groups the removed user left.
        #expect(report.deltaRecords.map { (6...10).contains($0) } == true, "\(String(describing: report.deltaRecords))")
        #expect(try identity(directory, StateFileName.users) == usersBefore, "users.json was rewritten")
        #expect(try identity(directory, StateFileName.cache) == cacheBefore, "the base's cache was rewritten")
        let written = try desk(directory)
        #expect(written.formatVersion == 2)
        #expect(written.snapshotDeltas?.map(\.sequence) == [state.sequence])
        let usersDelta = try String(contentsOfFile: directory.file(SnapshotDelta.usersFile(state.sequence)), encoding: .utf8)
        #expect(usersDelta.contains(#""@removed""#))
        #expect(report.bytesWritten < 40_000, "\(report.bytesWritten) bytes for six records")
        // Read back: through the base's cache, and from the JSON alone.
        let loaded = try store.load()
        #expect(loaded.tenant == state.tenant)
        #expect(loaded.journalLength == 0)
        try FileManager.default.removeItem(atPath: directory.file(StateFileName.cache))
        #expect(try store.load().tenant == state.tenant)
    }

    @Test("deltas pile up in order; `compact --whole` folds them into users.json and removes them")
    func deltasThenWhole() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        for round in 1...3 {
            try makeChanges(store, onto: &state, tag: "r\(round)")
            try store.compact()
        }
        #expect(try desk(directory).snapshotDeltas?.count == 3)
        #expect(try store.load().tenant == state.tenant)
        try store.commit(.setUserAttributes(userID: state.tenant.users[0].id, values: ["city": "Oslo"]), context: context, onto: &state)
        guard case .compacted(let report) = try store.compact(whole: true) else {
            Issue.record("did not compact")
            return
        }
        #expect(report.deltaRecords == nil)
        #expect(try desk(directory).snapshotDeltas == nil)
        #expect(try desk(directory).formatVersion == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains(where: SnapshotDelta.isDeltaName), "\(names)")
        #expect(!names.contains { $0.hasSuffix(".staged") }, "\(names)")
        #expect(try store.load().tenant == state.tenant)
    }

    @Test("deltas that grow past their share of the tenant give way to a whole snapshot")
    func shareLimit() throws {
        let (directory, plain) = try freshStore(users: 40)
        defer { withExtendedLifetime(directory) {} }
        var store = plain
        store.deltaShare = 0.2  // 9 records of 44
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "a")
        guard case .compacted(let first) = try store.compact() else {
            Issue.record("did not compact")
            return
        }
        #expect(first.deltaRecords.map { (6...8).contains($0) } == true, "\(String(describing: first.deltaRecords))")
        try makeChanges(store, onto: &state, tag: "b")
        guard case .compacted(let second) = try store.compact() else {
            Issue.record("did not compact")
            return
        }
        #expect(second.deltaRecords == nil, "twice that over 44 records is past a share of 0.2")
        #expect(try desk(directory).snapshotDeltas == nil)
        #expect(try store.load().tenant == state.tenant)
    }

    @Test("a delta file the snapshot lists and that is gone is named as damage, never read as an older tenant")
    func missingDelta() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "gone")
        try store.compact()
        let file = directory.file(SnapshotDelta.usersFile(state.sequence))
        try FileManager.default.removeItem(atPath: file)
        let error = #expect(throws: StateError.self) { try store.load() }
        #expect(error.map { "\($0)" }?.contains(SnapshotDelta.usersFile(state.sequence)) == true, "\(String(describing: error))")
        #expect(error.map { "\($0)" }?.contains("restore it from a backup") == true)
    }

    @Test("a desk file edited to list deltas out of order or past its end is refused by name")
    func editedDeltaList() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "x")
        try store.compact()
        let path = directory.file(StateFileName.desk)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"sequence\" : \(state.sequence)", with: "\"sequence\" : \(state.sequence + 50)")
        #expect(edited != text)
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: StateError.self) { try store.load() }
    }

    @Test("a delta file no snapshot lists (a compaction killed before its commit point) is never read, and the next compaction removes it")
    func unlistedDelta() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        let stray = directory.file(SnapshotDelta.usersFile(999))
        try #"{"formatVersion": 1, "value": [{"id": "00000000-0000-4000-8000-000000000000", "@removed": {"reason": "deleted"}}]}"#
            .write(toFile: stray, atomically: true, encoding: .utf8)
        #expect(try store.load().tenant == state.tenant)
        try makeChanges(store, onto: &state, tag: "y")
        try store.compact()
        #expect(!FileManager.default.fileExists(atPath: stray))
        #expect(try store.load().tenant == state.tenant)
    }

    @Test("a reader that loaded before a delta compaction follows it from the journal, not by loading again")
    func readerFollows() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var reader = try store.load()
        var writer = try store.load()
        try makeChanges(store, onto: &writer, tag: "f")
        try store.compact()
        try store.commit(.setUserAttributes(userID: writer.tenant.users[5].id, values: ["city": "Bergen"]), context: context, onto: &writer)
        // This state's own load number, not the process's count of loads: tests running
        // beside this one load states too.
        let loadNumber = reader.loadNumber
        #expect(try store.refresh(&reader))
        #expect(reader.loadNumber == loadNumber, "the reader loaded the tenant again")
        #expect(reader.tenant == writer.tenant)
    }

    @Test("start over moves the deltas aside with the rest of the old tenant")
    func startOverMovesDeltas() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "old")
        try store.compact()
        try store.initialise(with: SyntheticTenant.make(users: 20, groups: 2), force: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains(where: SnapshotDelta.isDeltaName), "\(names)")
        let aside = try #require(names.first { $0.hasPrefix("replaced-") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file(aside)).contains(where: SnapshotDelta.isDeltaName))
        #expect(try store.load().tenant.users.count == 20)
    }
}

extension SnapshotDeltaTests {
    @Test("a link a teammate puts in a delta file's place is refused by name, never followed")
    func linkedDelta() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var state = try store.load()
        try makeChanges(store, onto: &state, tag: "link")
        try store.compact()
        let file = directory.file(SnapshotDelta.usersFile(state.sequence))
        let elsewhere = TemporaryDirectory()
        try FileManager.default.moveItem(atPath: file, toPath: elsewhere.file("delta.json"))
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: elsewhere.file("delta.json"))
        let error = #expect(throws: StateError.self) { try store.load() }
        #expect(error.map { "\($0)" }?.contains("link") == true, "\(String(describing: error))")
    }
}
