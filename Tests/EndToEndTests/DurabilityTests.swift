import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("Durability under kills and concurrency", .serialized)
struct DurabilityTests {
    /// How many kills: 200 in CI; `LICENSEDESK_CRASH_KILLS` raises it for a soak run.
    static var kills: Int { Int(ProcessInfo.processInfo.environment["LICENSEDESK_CRASH_KILLS"] ?? "") ?? 200 }

    @Test("SIGKILL at random moments while committing to a 10,000-user tenant loses no acknowledged change")
    func crashLoop() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: SyntheticTenant.make(users: 10_000, groups: 4), force: false)
        let targets = Array(try store.loadTenant().users.prefix(20).map(\.id))
        var expected: [String: Int] = [:]
        var lastAcknowledged = 0
        var generator = SplitMix(seed: 99)
        var killedMidCommit = 0
        for round in 0..<Self.kills {
            let churn = try RunningProcess([
                "debug", "churn", "--count", "100000", "--users", "20", "--seed", "\(round + 1)", "--compact-every", "100",
                "--state", directory.path,
            ])
            // Let it load and commit a little, then kill it at a random moment.
            #expect(churn.waitForLine(startingWith: "ack"), "round \(round): the writer never committed")
            usleep(useconds_t(generator.next() % 60_000))
            churn.kill()
            for line in churn.output where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                lastAcknowledged = max(lastAcknowledged, Int(parts[1])!)
                expected[String(parts[2]), default: 0] += 1
            }
            // The state loads, and equals the state before or after the interrupted change.
            let state = try store.load()
            #expect(state.sequence == lastAcknowledged || state.sequence == lastAcknowledged + 1, "round \(round)")
            var surplus = 0
            for user in targets {
                let value = Int(state.tenant.user(id: user)?.extensionAttribute(7) ?? "0") ?? 0
                let acknowledged = expected[user] ?? 0
                #expect(value == acknowledged || value == acknowledged + 1, "round \(round): \(user) has \(value), acknowledged \(acknowledged)")
                surplus += value - acknowledged
            }
            #expect(surplus == state.sequence - lastAcknowledged, "round \(round)")
            if state.sequence == lastAcknowledged + 1 {
                // The interrupted change reached the journal: it is now as good as acknowledged.
                killedMidCommit += 1
                lastAcknowledged = state.sequence
                for user in targets {
                    expected[user] = Int(state.tenant.user(id: user)?.extensionAttribute(7) ?? "0") ?? 0
                }
            }
        }
        let final = try store.load()
        #expect(TenantDoctor.examine(final.tenant).filter { $0.kind == .seatCount || $0.kind == .danglingReference }.isEmpty)
        print("crash loop: \(Self.kills) kills, \(lastAcknowledged) changes, \(killedMidCommit) kills landed between the journal write and the acknowledgement")
    }

    @Test("two processes making 500 interleaved changes each lose no update and report every conflict")
    func twoWriters() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: false)
        let writers = try (1...2).map { seed in
            try RunningProcess([
                "debug", "churn", "--count", "500", "--users", "4", "--seed", "\(seed)", "--compact-every", "100",
                "--state", directory.path,
            ])
        }
        for writer in writers { #expect(writer.wait() == 0) }
        let lines = writers.flatMap(\.output)
        let acks = lines.filter { $0.hasPrefix("ack ") }
        let conflicts = lines.filter { $0.hasPrefix("conflict ") }
        #expect(acks.count == 1000)
        var increments: [String: Int] = [:]
        for ack in acks { increments[String(ack.split(separator: " ")[2]), default: 0] += 1 }
        let state = try store.load()
        #expect(state.sequence == 1000)
        // Read-modify-write increments: any lost update would leave a counter short.
        for (user, count) in increments {
            #expect(state.tenant.user(id: user)?.extensionAttribute(7) == String(count))
        }
        #expect(!conflicts.isEmpty, "the writers never collided; the test proves nothing about conflicts")
        let processed = try BinaryRunner.run(["process", "--state", directory.path])
        #expect(processed.status == 0)
        let doctor = try BinaryRunner.run(["doctor", "--state", directory.path])
        #expect(doctor.status == 0, "\(doctor.standardOutput)")
        print("two writers: 1000 changes, \(conflicts.count) conflicts reported and retried")
    }
}
