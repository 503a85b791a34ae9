import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

/// Snapshot format 2: the format-1 fixture with two changes compacted as a delta
/// (`SnapshotDelta`): `licensedesk.json` listing it, the users and groups delta files, and the
/// small files the compaction writes whole.
@Suite("Trust: the delta snapshot format is pinned by a fixture", .serialized)
struct DeltaFormatFixtureTests {
    static let deltaSequence = 5
    /// What a delta compaction writes: the small files whole, the big lists as deltas.
    static let deltaFiles = [
        StateFileName.desk, StateFileName.organization, StateFileName.subscribedSkus, SnapshotDelta.usersFile(deltaSequence),
        SnapshotDelta.groupsFile(deltaSequence),
    ]

    /// The desk file but for where the journal was cut, which follows the journal lines' length
    /// (they name the admin's login, which differs between machines).
    static func withoutCut(_ data: Data?) -> String {
        String(decoding: data ?? Data(), as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"journalCut") }.joined(separator: "\n")
    }

    @Test("snapshot format 2: a delta over the format-1 fixture is written as the fixture holds it, and the fixture reads back")
    func deltaSnapshotPinned() throws {
        let made = TemporaryDirectory()
        for name in FormatFixtureTests.snapshotFiles {
            try FileManager.default.copyItem(atPath: Fixtures.path("state-format-1/\(name)"), toPath: made.file(name))
        }
        let store = StateStore(directory: made.path)
        var state = try store.load()
        let context = ChangeContext(now: FormatFixtureTests.time, actor: "alice")
        try store.commit(.setUserAttributes(userID: DemoTenant.userID(2), values: ["city": "Oslo"]), context: context, onto: &state)
        try store.commit(.removeUser(userID: DemoTenant.userID(3)), context: context, onto: &state)
        #expect(state.sequence == Self.deltaSequence)
        guard case .compacted(let report) = try store.compact(), report.deltaRecords != nil else {
            Issue.record("not compacted as a delta")
            return
        }
        for name in Self.deltaFiles where FormatFixtureTests.recording {
            try FormatFixtureTests.matchFixture("state-format-2/\(name)", try #require(FileManager.default.contents(atPath: made.file(name))))
        }
        for name in Self.deltaFiles {
            let fixture = FileManager.default.contents(atPath: Fixtures.path("state-format-2/\(name)"))
            let written = FileManager.default.contents(atPath: made.file(name))
            if name == StateFileName.desk {
                #expect(Self.withoutCut(written) == Self.withoutCut(fixture), "\(name) is no longer written as the fixture holds it")
            } else {
                #expect(written == fixture, "\(name) is no longer written as the fixture holds it")
            }
        }
        // The fixture read: the format-1 users and groups with the format-2 files over them.
        let copy = TemporaryDirectory()
        for name in [StateFileName.users, StateFileName.groups] {
            try FileManager.default.copyItem(atPath: Fixtures.path("state-format-1/\(name)"), toPath: copy.file(name))
        }
        for name in Self.deltaFiles {
            try FileManager.default.copyItem(atPath: Fixtures.path("state-format-2/\(name)"), toPath: copy.file(name))
        }
        let loaded = try StateStore(directory: copy.path).load()
        #expect(loaded.sequence == Self.deltaSequence)
        #expect(loaded.tenant.user(id: DemoTenant.userID(3)) == nil)
        #expect(loaded.tenant.user(id: DemoTenant.userID(2))?.strings.all.contains { $0.value == "Oslo" } == true)
        #expect(loaded.tenant.users.count == 43)
        #expect(loaded.tenant == state.tenant)
        let desk = String(decoding: FileManager.default.contents(atPath: copy.file(StateFileName.desk)) ?? Data(), as: UTF8.self)
        #expect(desk.contains("\"formatVersion\" : 2"))
        let usersDelta = String(decoding: FileManager.default.contents(atPath: copy.file(SnapshotDelta.usersFile(Self.deltaSequence))) ?? Data(), as: UTF8.self)
        #expect(usersDelta.contains("\"@removed\""), "a removed user is Graph's `@removed` entry")
    }
}
