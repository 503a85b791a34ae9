import Foundation
import LicenseStore
import TestSupport
import Testing

/// Class 2: `init --force` / `generate --force` really start over, and only for those allowed.
@Suite("Trust: starting over moves the old state aside and needs the role")
struct StartOverTests {
    @Test("init --empty --force: the old users and journal are gone from the tenant, kept whole in a dated folder, audited")
    func forceMovesAside() throws {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=BeforeReset"]).status == 0)
        let oldJournal = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
        let result = try state.run(["init", "--empty", "--force"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("moved aside"))
        let status = try state.run(["status", "--json"])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains("\"users\" : 0"), "\(status.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: state.file(StateFileName.journal)))
        let folders = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix("replaced-") }
        #expect(folders.count == 1)
        let aside = state.file(folders[0])
        #expect(try String(contentsOfFile: aside + "/" + StateFileName.journal, encoding: .utf8) == oldJournal)
        for name in StateFileName.all { #expect(FileManager.default.fileExists(atPath: aside + "/" + name), "\(name)") }
        // The old tenant still opens from where it was put.
        let old = try BinaryRunner.run(["users", "show", "adele.vance@contoso.com", "--json", "--state", aside])
        #expect(old.standardOutput.contains("BeforeReset"))
        let audit = try state.run(["audit"])
        #expect(audit.standardOutput.contains("replacing the previous tenant"), "\(audit.standardOutput)")
        // A change after the start-over lands on the new tenant and numbers on from the old.
        #expect(try state.run(["users", "add", "new.user@contoso.com"]).status == 0)
        let journal = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
        #expect(journal.contains("\"sequence\":3"), "\(journal)")
    }

    @Test("init --force over a journal that no longer applies starts over instead of failing")
    func forceOverBrokenJournal() throws {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=X"]).status == 0)
        // The journal's entry now names a user the snapshot does not have: it no longer applies.
        let journal = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
        let broken = journal.replacingOccurrences(of: "a11ce000-0000-4000-8000-000000000001", with: "0dd00000-0000-4000-8000-000000000009")
        try broken.write(toFile: state.file(StateFileName.journal), atomically: false, encoding: .utf8)
        #expect(try state.run(["status"]).status != 0)
        let result = try state.run(["init", "--force"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try state.run(["status"]).status == 0)
    }

    @Test(
        "a Global Reader may not init --force, generate --force, compact or run the debug writer; nothing changes",
        arguments: [
            ["init", "--force"], ["init", "--empty", "--force"], ["generate", "--users", "10", "--groups", "1", "--force"], ["compact"],
            ["debug", "churn", "--count", "1"],
        ])
    func readerRefused(command: [String]) throws {
        let state = try TrustState()
        let me = ActorIdentity.current().name
        try "{\"users\": {\"\(me)\": [\"Global Reader\"]}}".write(toFile: state.file(StateFileName.roles), atomically: true, encoding: .utf8)
        let before = state.picture()
        let result = try state.run(command, environment: ["LICENSEDESK_TEST_HOOKS": "1"])
        #expect(result.status == 1, "\(command): \(result.status) \(result.standardError)")
        #expect(result.standardError.contains("Global Reader"), "\(result.standardError)")
        #expect(state.picture() == before, "\(command) changed the state")
    }

    @Test("a Global Administrator may start over when roles exist")
    func administratorAllowed() throws {
        let state = try TrustState()
        let me = ActorIdentity.current().name
        try "{\"users\": {\"\(me)\": [\"Global Administrator\"]}}".write(toFile: state.file(StateFileName.roles), atomically: true, encoding: .utf8)
        #expect(try state.run(["init", "--empty", "--force"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: state.file(StateFileName.roles)), "the roles file must stay")
    }

    @Test("the hidden debug writer refuses to run without the test hooks")
    func debugGated() throws {
        let state = try TrustState()
        let before = state.picture()
        let result = try state.run(["debug", "churn", "--count", "1"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("LICENSEDESK_TEST_HOOKS"))
        #expect(state.picture() == before)
    }
}
