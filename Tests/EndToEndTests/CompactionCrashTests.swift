import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// The compaction path killed at each of its durable steps in turn (`CrashPoint`): files
/// staged, fsynced, renamed to `.next`, the commit record, the roll into place, the journal
/// cut, the history kept, the cache.
@Suite("Compaction killed at every step", .serialized)
struct CompactionCrashTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "alice")

    @Test(
        "SIGKILL at every write, fsync and rename of a compaction loses no change, and the next one completes",
        arguments: [false, true])
    func everyCrashPoint(whole: Bool) throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: SyntheticTenant.make(users: 300, groups: 4), force: false)
        let user = try #require(try store.loadTenant().users.first?.id)
        var held = try store.load()
        let groupsBefore = held.tenant.groups.count
        var saved = 0
        var steps: [String] = []
        var finished = false
        for point in 1...400 {
            // A change before each kill, so every compaction has something to fold in, and a
            // writer goes through whatever the last kill left.
            // Two changes: one that a replay would apply twice without a trace (an attribute
            // set), one that it could not (a new group: the same id twice is refused), so a
            // snapshot half rolled forward under a journal not yet cut can't go unseen.
            saved += 2
            try store.commit(.setUserAttributes(userID: user, values: ["extensionAttribute7": "\(saved)"]), context: context, onto: &held)
            let group = String(format: "c0a50000-0000-4000-8000-%012d", point)
            try store.commit(
                .createGroup(id: group, displayName: "Crash \(point)", description: nil, membershipRule: nil), context: context, onto: &held)
            let run = try BinaryRunner.run(
                ["compact", "--state", directory.path] + (whole ? ["--whole"] : []),
                environment: ["LICENSEDESK_TEST_HOOKS": "1", "LICENSEDESK_CRASH_AT": "\(point)"])
            if run.status == 0 {
                finished = true
                break
            }
            #expect(run.status == 128 + SIGKILL, "crash point \(point) ended otherwise: \(run.standardError)")
            let step = run.standardError.split(separator: "\n").first { $0.hasPrefix("crash point") }.map(String.init) ?? "?"
            steps.append(step)
            // Nothing lost, read as it stands (a reader recovers in memory or on disk)...
            let state = try store.load()
            #expect(state.sequence == saved, "\(step)")
            #expect(state.tenant.user(id: user)?.extensionAttribute(7) == "\(saved)", "\(step)")
            #expect(state.tenant.groups.count == groupsBefore + point, "\(step)")
            #expect(state.tenant == held.tenant, "\(step): the tenant read back is not the one saved")
        }
        #expect(finished, "the compaction never got through")
        #expect(steps.count >= 12, "only \(steps.count) crash points: \(steps)")
        // A whole snapshot, or (by default, for a few changes) a delta over the one in place.
        let staging = whole ? "users.json.staged" : "users.delta-"
        for expected in [staging, "to .next", "compaction.json", "into place", "prepared journal", "history"] {
            #expect(steps.contains { $0.contains(expected) }, "no crash point at \(expected): \(steps.joined(separator: "\n"))")
        }
        // Whole at the end: every change there, the journal folded, nothing staged or left over.
        let final = try store.load()
        #expect(final.sequence == saved)
        #expect(final.tenant.user(id: user)?.extensionAttribute(7) == "\(saved)")
        #expect(final.journalLength == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { $0.hasSuffix(".staged") || $0.hasSuffix(".next") || $0.contains(".tmp.") }, "\(names)")
        // Only the deltas the snapshot lists: one a kill left unlisted was removed.
        let desk = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.desk)))) as? [String: Any]
        let listed = (desk?["snapshotDeltas"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }
        // (A kill past a compaction's commit point leaves one that recovery finished: a delta each.)
        #expect(whole ? listed.isEmpty : !listed.isEmpty, "\(listed)")
        let deltaFiles = names.filter { $0.hasPrefix("users.delta-") || $0.hasPrefix("groups.delta-") }
        #expect(Set(deltaFiles) == Set(listed.flatMap { ["users.delta-\($0).json", "groups.delta-\($0).json"] }), "\(deltaFiles)")
        print("compaction crash points (\(whole ? "whole" : "delta")): \(steps.count) kills, then one that runs to its end")
    }

    @Test("a save past the threshold starts a background compaction that folds the journal in; the save does not wait for it")
    func backgroundHelper() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let churn = try BinaryRunner.run(
            ["debug", "churn", "--count", "12", "--users", "3", "--compact-every", "5", "--state", directory.path],
            environment: ["LICENSEDESK_TEST_HOOKS": "1"])
        #expect(churn.status == 0, "\(churn.standardError)")
        let store = StateStore(directory: directory.path)
        // The helper runs on its own: poll for the snapshot to move on.
        var folded = 0
        for _ in 0..<200 {
            let data = FileManager.default.contents(atPath: directory.file(StateFileName.desk)) ?? Data()
            let desk = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            folded = desk?["journalSequence"] as? Int ?? 0
            if folded >= 5 { break }
            usleep(50_000)
        }
        #expect(folded >= 5, "no background compaction folded the journal in")
        let state = try store.load()
        #expect(state.sequence == 12)
        #expect(FileManager.default.fileExists(atPath: directory.file("history")))
        let status = try BinaryRunner.run(["status", "--state", directory.path])
        #expect(status.standardOutput.contains("not yet folded into the snapshot"))
    }
}
