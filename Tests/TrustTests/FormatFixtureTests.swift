import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

/// Class 7: every persisted format is explicit and pinned. Checked-in fixtures of today's
/// journal lines (one per kind of change), audit lines, snapshot files and snapshot cache are
/// read back and written again byte for byte: a format change that is not deliberate fails here
/// instead of corrupting a tenant. `LICENSEDESK_RECORD_FIXTURES=1` writes them anew (a
/// deliberate change: bump the format version too, and keep reading the old one).
@Suite("Trust: the persisted formats are pinned by fixtures", .serialized)
struct FormatFixtureTests {
    static var recording: Bool { ProcessInfo.processInfo.environment["LICENSEDESK_RECORD_FIXTURES"] == "1" }
    static let time = Date(timeIntervalSince1970: 1_780_000_000)
    static let identity = ActorIdentity(uid: 1001, name: "alice", loginUID: 1001, sshClient: "192.0.2.7 52100 192.0.2.1 22", groups: ["licensing"])

    /// One change of every kind the journal can hold.
    static let everyChange: [TenantChange] = [
        .addSku(skuId: DemoTenant.emsSkuID, seats: 25, edition: nil),
        .setSeats(skuId: DemoTenant.e3SkuID, seats: 40),
        .createUser(
            UserDraft(
                id: "0000f001-0000-4000-8000-000000000001", userPrincipalName: "new@contoso.com", displayName: "New", attributes: ["department": "Sales"],
                onPremisesSyncEnabled: false)),
        .setUserAttributes(userID: DemoTenant.userID(1), values: ["department": "Finance", "jobTitle": nil]),
        .removeUser(userID: DemoTenant.userID(2)),
        .createGroup(
            id: "0000f002-0000-4000-8000-000000000001", displayName: "Sales", description: "Sales staff", membershipRule: #"user.department -eq "Sales""#),
        .setGroupRule(groupID: DemoTenant.e3AllGroupID, rule: #"user.extensionAttribute10 -eq "E3 All""#),
        .setGroupPaused(groupID: DemoTenant.e3AllGroupID, paused: true),
        .addGroupMember(groupID: "0000f002-0000-4000-8000-000000000002", userID: DemoTenant.userID(3)),
        .removeGroupMember(groupID: "0000f002-0000-4000-8000-000000000002", userID: DemoTenant.userID(3)),
        .deleteGroup(groupID: "0000f002-0000-4000-8000-000000000002"),
        .addGroupLicense(groupID: DemoTenant.e3AllGroupID, skuId: DemoTenant.emsSkuID, disabledPlans: ["113feb6c-3fe4-4440-bddc-54d774bf0318"]),
        .removeGroupLicense(groupID: DemoTenant.e3AllGroupID, skuId: DemoTenant.emsSkuID),
        .setGroupPlan(groupID: DemoTenant.e3SelectedGroupID, skuId: DemoTenant.e3SkuID, planId: "2789c901-c14e-48ab-a76a-be334d9d793a", enabled: true),
        .replaceGroupLicenses(
            groupID: DemoTenant.e3SelectedGroupID, add: [AssignedLicense(skuId: DemoTenant.emsSkuID, disabledPlans: [])], remove: [DemoTenant.e3SkuID]),
        .addUserLicense(userID: DemoTenant.userID(4), skuId: DemoTenant.e3SkuID, disabledPlans: []),
        .removeUserLicense(userID: DemoTenant.userID(4), skuId: DemoTenant.e3SkuID),
        .reprocessGroup(groupID: DemoTenant.e3AllGroupID),
        .reprocessUser(userID: DemoTenant.userID(5)),
        .processPending,
        .addOnPremisesUser(
            OnPremisesUser(
                samAccountName: "ninap", objectGUID: "0000f003-0000-4000-8000-000000000001",
                attributes: ["department": "Sales", "userPrincipalName": "nina@contoso.com"])),
        .setOnPremisesUser(samAccountName: "ninap", values: ["title": "Lead", "department": nil]),
        .removeOnPremisesUser(samAccountName: "ninap"),
        .configureSync(include: ["extensionAttribute10"], exclude: ["title"], scopes: ["OU=Staff,DC=contoso,DC=com"]),
        .runSync(full: true),
        .repairConsistency,
        .importDirectory(DirectoryImport(groups: [Group(id: "0000f002-0000-4000-8000-000000000003", displayName: "Imported")])),
        .importOnPremises([OnPremisesUser(samAccountName: "omar", objectGUID: "0000f003-0000-4000-8000-000000000002", attributes: [:], enabled: false)]),
        // A group made here for a live tenant carries its uniqueName (added to format 2: absent before).
        .createGroup(
            id: "0000f002-0000-4000-8000-000000000004", displayName: "Pilot", description: nil, membershipRule: nil,
            uniqueName: "licensedesk-0000f002-0000-4000-8000-000000000004"),
        // Licence automation (added to format 2: kinds unknown before).
        .createPolicy(
            id: "0000f002-0000-4000-8000-000000000005", displayName: "E3 policy", description: nil,
            membershipRule: #"user.extensionAttribute10 -eq "E3 All""#),
        .setManagedScope(
            ManagedScope(
                skuIds: [DemoTenant.e3SkuID], userRule: #"user.accountEnabled -eq true"#,
                usageLocations: [UsageLocationRule(rule: #"user.country -eq "Germany""#, location: "DE")])),
        .reconcilePlanned(reconcileRun),
        .reconcileFinished(
            ReconcileOutcome(
                run: reconcileRun.id,
                results: [ReconcileOutcome.Result(call: reconcileRun.calls[0], state: .refused, code: "CountViolation", message: "no seat")])),
    ]

    static let reconcileRun = ReconcileRun(
        id: "0000f004-0000-4000-8000-000000000001",
        calls: [
            ReconcileCall(
                userID: DemoTenant.userID(6), upn: "user6@contoso.com", usageLocation: "DE",
                add: [AssignedLicense(skuId: DemoTenant.e3SkuID, disabledPlans: ["2789c901-c14e-48ab-a76a-be334d9d793a"])], remove: [DemoTenant.emsSkuID],
                givenBy: [DemoTenant.e3SkuID: ["0000f002-0000-4000-8000-000000000005"]], newSkus: [DemoTenant.e3SkuID])
        ],
        adopted: [ReconcileHold(userID: DemoTenant.userID(7), upn: "user7@contoso.com", skuId: DemoTenant.e3SkuID, reason: "adopted")],
        held: [ReconcileHold(userID: DemoTenant.userID(8), upn: "user8@contoso.com", reason: "changed on-premises since the last directory sync")])

    static var entries: [JournalEntry] {
        everyChange.enumerated().map { offset, change in
            JournalEntry(
                sequence: offset + 1, context: ChangeContext(now: time, actor: "alice"), change: change,
                basedOn: Dictionary(uniqueKeysWithValues: change.touchedObjects.map { ($0, offset) }),
                audit: [AuditEvent(activity: change.activity, target: "target \(offset)", detail: "detail", actor: "alice", time: time)],
                identity: identity)
        }
    }

    /// Compares `data` with the fixture `name`, or writes it when recording.
    static func matchFixture(_ name: String, _ data: Data) throws {
        let path = Fixtures.path(name)
        if recording {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
            return
        }
        let fixture = try #require(FileManager.default.contents(atPath: path), "missing fixture \(name): record it")
        #expect(fixture == data, "\(name) is no longer written as the fixture holds it: a format change")
    }

    @Test("journal format 2: every kind of change reads back from the fixture and is written byte for byte the same")
    func journalLines() throws {
        var written = Data()
        for entry in Self.entries { written += try JournalFile.line(entry) }
        try Self.matchFixture("journal-format-2.jsonl", written)
        let fixture = try #require(FileManager.default.contents(atPath: Fixtures.path("journal-format-2.jsonl")))
        let read = try JournalFile.read(fixture)
        #expect(read.entries == Self.entries)
        #expect(!read.hasTornTail)
        // The fixture covers every kind of change the journal knows.
        let kinds = Set(
            read.entries.map { entry in
                String(String(decoding: try! StateJSON.compact(entry.change), as: UTF8.self).dropFirst(2).prefix { $0 != "\"" })
            })
        #expect(kinds == Set(TenantChange.journalCaseNames), "a change kind has no fixture line: add it to everyChange and record")
    }

    @Test("journal format 1 lines (before checksums) still read")
    func journalFormatOne() throws {
        let fixture = try #require(FileManager.default.contents(atPath: Fixtures.path("journal-format-1.jsonl")))
        let read = try JournalFile.read(fixture)
        #expect(read.entries.count == 1)
        #expect(read.entries.first?.audit == nil)
    }

    @Test("audit lines: the fixture reads back and is written byte for byte the same")
    func auditLines() throws {
        let store = StateStore(directory: "/nonexistent")
        let written = try store.auditLines(for: Self.entries)
        try Self.matchFixture("audit-format-1.jsonl", written)
        let fixture = try #require(FileManager.default.contents(atPath: Fixtures.path("audit-format-1.jsonl")))
        let decoder = StateJSON.decoder()
        let records = try fixture.split(separator: 0x0A).map { try decoder.decode(AuditRecord.self, from: $0) }
        #expect(records.count == Self.entries.count)
        #expect(records.first?.actor == Self.identity)
        #expect(records.last?.activity == "Reconcile licences outcome")
    }

    @Test("compaction.failed format 1: the fixture reads back and is written the same")
    func compactionFailurePinned() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try FileManager.default.copyItem(atPath: Fixtures.path("compaction-failed.json"), toPath: directory.file(StateFileName.compactionFailed))
        let failure = try #require(CompactionFailure.read(in: store))
        #expect(failure.reason.hasSuffix("No space left on device"))
        #expect(failure.time == Date(timeIntervalSince1970: 1_796_148_000))
        try FileManager.default.removeItem(atPath: directory.file(StateFileName.compactionFailed))
        failure.write(in: store)
        #expect(
            FileManager.default.contents(atPath: directory.file(StateFileName.compactionFailed))
                == FileManager.default.contents(atPath: Fixtures.path("compaction-failed.json")))
    }

    @Test("reconciliation format 1 (licensedesk.json's reconciliation): scope, bookkeeping and runs read back and are written the same")
    func reconciliationPinned() throws {
        var tenant = DemoTenant.make()
        for change in Self.everyChange.suffix(4) { try tenant.apply(change, context: ChangeContext(now: Self.time, actor: "alice")) }
        #expect(tenant.automation.scope?.usageLocations.first?.location == "DE")
        #expect(tenant.automation.owns(DemoTenant.userID(7), DemoTenant.e3SkuID), "adopted")
        #expect(tenant.automation.failures[DemoTenant.userID(6)]?.code == "CountViolation")
        let written = try StateJSON.encode(tenant.automation)
        try Self.matchFixture("reconciliation-format-1.json", written)
        let fixture = try #require(FileManager.default.contents(atPath: Fixtures.path("reconciliation-format-1.json")))
        #expect(try StateJSON.decoder().decode(LicenceAutomation.self, from: fixture) == tenant.automation)
        // A policy is a group marked by an annotation Graph readers ignore.
        let policy = try #require(tenant.group(id: "0000f002-0000-4000-8000-000000000005"))
        let json = String(decoding: try StateJSON.encode(policy), as: UTF8.self)
        #expect(json.contains(#""@licensedesk.policy" : true"#) || json.contains(#""@licensedesk.policy":true"#), "\(json)")
        #expect(policy.isPolicy && policy.isDynamic)
    }

    static let snapshotFiles = StateFileName.all

    /// The demo tenant after a few changes (pending work, versions, an on-premises user).
    static func fixtureState() throws -> LoadedState {
        var tenant = DemoTenant.make()
        var versions: [String: ObjectVersion] = [:]
        let changes: [TenantChange] = [
            .addOnPremisesUser(
                OnPremisesUser(samAccountName: "ninap", objectGUID: "0000f003-0000-4000-8000-000000000001", attributes: ["department": "Sales"])),
            .setUserAttributes(userID: DemoTenant.userID(1), values: ["department": "Finance"]),
            .setGroupPlan(groupID: DemoTenant.e3SelectedGroupID, skuId: DemoTenant.e3SkuID, planId: "2789c901-c14e-48ab-a76a-be334d9d793a", enabled: true),
        ]
        for (offset, change) in changes.enumerated() {
            try tenant.apply(change, context: ChangeContext(now: time, actor: "alice"))
            for object in change.touchedObjects {
                versions[object] = ObjectVersion(sequence: offset + 1, actor: "alice", time: time, activity: change.activity)
            }
        }
        var state = LoadedState(tenant: tenant, sequence: changes.count, versions: versions, notices: [])
        state.lineage = fixtureLineage
        return state
    }

    /// Which tenant the fixture is (`DeskFile.lineage`), kept by every compaction.
    static let fixtureLineage = "f1x7e000-0000-4000-8000-00000000ea5e"

    @Test("snapshot files format 1: the fixture state loads and is written back byte for byte the same")
    func snapshotFilesPinned() throws {
        let made = TemporaryDirectory()
        try SnapshotFiles(store: StateStore(directory: made.path)).compact(try Self.fixtureState())
        for name in Self.snapshotFiles + [StateFileName.cache] where Self.recording {
            try Self.matchFixture("state-format-1/\(name)", try #require(FileManager.default.contents(atPath: made.file(name))))
        }
        // The fixture, copied where a store can read it: loads, and compacts to the same bytes.
        let copy = TemporaryDirectory()
        for name in Self.snapshotFiles {
            try FileManager.default.copyItem(atPath: Fixtures.path("state-format-1/\(name)"), toPath: copy.file(name))
        }
        let loaded = try StateStore(directory: copy.path).load()
        #expect(loaded.tenant.users.count == 44)
        #expect(loaded.sequence == 3)
        #expect(loaded.tenant.user(id: DemoTenant.userID(1))?.strings.all.contains { $0.value == "Finance" } == true)
        #expect(loaded.tenant.onPremises.users.map(\.samAccountName) == ["ninap"])
        #expect(loaded.lineage == Self.fixtureLineage)
        let again = TemporaryDirectory()
        try SnapshotFiles(store: StateStore(directory: again.path)).compact(loaded)
        for name in Self.snapshotFiles {
            let fixture = try #require(FileManager.default.contents(atPath: Fixtures.path("state-format-1/\(name)")))
            #expect(FileManager.default.contents(atPath: again.file(name)) == fixture, "\(name) is no longer written as the fixture holds it")
        }
    }

    @Test("snapshot cache: the fixture cache reads back to the same users and groups as the fixture's JSON")
    func cachePinned() throws {
        let copy = TemporaryDirectory()
        for name in Self.snapshotFiles {
            try FileManager.default.copyItem(atPath: Fixtures.path("state-format-1/\(name)"), toPath: copy.file(name))
        }
        let fromJSON = try StateStore(directory: copy.path).load().tenant
        let cache = try #require(FileManager.default.contents(atPath: Fixtures.path("state-format-1/\(StateFileName.cache)")))
        let contents = try cache.withUnsafeBytes { bytes in
            try SnapshotCache(store: StateStore(directory: copy.path)).decode(bytes, expecting: nil)
        }
        #expect(contents.users == fromJSON.users, "the cache layout or its string slots changed: bump SnapshotCache.layoutVersion")
        #expect(contents.groups == fromJSON.groups)
    }

    @Test("a cache made under another schema fingerprint is ignored, never misread")
    func foreignFingerprint() throws {
        let state = try TrustState()
        var cache = try #require(FileManager.default.contents(atPath: state.file(StateFileName.cache)))
        // The fingerprint follows the 8-byte magic; the checksum at the end is made right
        // again, so only the fingerprint tells.
        cache[8] ^= 0xFF
        var sum = StreamingChecksum()
        cache.prefix(cache.count - 8).withUnsafeBytes { sum.update($0) }
        withUnsafeBytes(of: sum.finish().littleEndian) { cache.replaceSubrange((cache.count - 8)..., with: $0) }
        try cache.write(to: URL(fileURLWithPath: state.file(StateFileName.cache)))
        let result = try cache.withUnsafeBytes { bytes in
            Result { try SnapshotCache(store: StateStore(directory: state.path)).decode(bytes, expecting: nil) }
        }
        guard case .failure(let problem as CacheProblem) = result else {
            Issue.record("a cache of another schema was read")
            return
        }
        #expect(problem.reason.contains("another schema"))
        #expect(try state.run(["status"]).status == 0)
    }
}
