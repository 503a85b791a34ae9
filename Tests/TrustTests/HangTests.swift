import Foundation
import TestSupport
import Testing

@testable import LicenseStore

/// Class 4: nothing an admin types can hang the others.
@Suite("Trust: no rule and no lock holder hangs the other admins", .serialized)
struct HangTests {
    static let evilName = String(repeating: "a", count: 40) + "!"

    static let evilRules = [
        #"user.displayName -match "(a+)+$""#,
        #"user.displayName -match "(a|aa)+$""#,
        #"user.displayName -match "^(a*)*b""#,
        #"user.displayName -match "(.*a){20}""#,
        #"user.otherMails -any (_ -match "(a+)+$")"#,
    ]

    @Test("a catastrophic -match fails that group's processing with the reason; other groups and admins carry on", arguments: evilRules)
    func catastrophicRegex(rule: String) throws {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "displayName=\(Self.evilName)", "otherMails=\(Self.evilName)@x.com"]).status == 0)
        #expect(try state.run(["groups", "create", "Evil", "--rule", rule]).status == 0)
        #expect(try state.run(["groups", "create", "Sales", "--rule", #"user.department -eq "Sales""#]).status == 0)
        let processed = try state.run(["process"])
        #expect(processed.status == 0, "\(processed.standardError)")
        let evil = try state.run(["groups", "show", "Evil"])
        #expect(evil.standardOutput.contains("Processing error"), "\(evil.standardOutput)")
        #expect(evil.standardOutput.contains("took longer than"), "\(evil.standardOutput)")
        let sales = try state.run(["groups", "show", "Sales"])
        #expect(sales.standardOutput.contains("Update complete"), "\(sales.standardOutput)")
        let audit = try state.run(["audit", "--object", "Evil"])
        #expect(audit.standardOutput.contains("[failure]"), "\(audit.standardOutput)")
        // One more attribute change: the per-user path is bounded too.
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=Sales"]).status == 0)
        #expect(try state.run(["process"]).status == 0)
    }

    @Test(
        "many slow -match clauses, each under the per-evaluation bound, are bounded in all; the run is journaled with its time-out and replays without evaluating it"
    )
    func manySlowClauses() throws {
        let state = try TrustState()
        let list = try state.run(["users", "list", "--json"])
        let users = try #require(try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [[String: Any]])
        for upn in users.prefix(12).compactMap({ $0["userPrincipalName"] as? String }) {
            #expect(try state.run(["users", "set", upn, "department=" + String(repeating: "a", count: 18) + "!"]).status == 0)
        }
        let rule = Array(repeating: #"user.department -match "^(a+)+N$""#, count: 60).joined(separator: " -or ")
        #expect(try state.run(["groups", "set-rule", "E3 All", rule]).status == 0)
        let processed = try BinaryRunner.runProgram("/usr/bin/timeout", ["120", BinaryRunner.binaryPath, "process", "--state", state.path])
        #expect(processed.status == 0, "exit \(processed.status)")
        let shown = try state.run(["groups", "show", "E3 All"])
        #expect(shown.standardOutput.contains("Processing error"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("regular expressions took"), "\(shown.standardOutput)")
        let journal = try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
        #expect(journal.contains("\"timedOutGroups\""), "the time-out is not in the journal: a replay would time it again")
        // Every later read replays the run: the recorded time-out stands, nothing is evaluated.
        let status = try BinaryRunner.runProgram("/usr/bin/timeout", ["60", BinaryRunner.binaryPath, "groups", "show", "E3 All", "--state", state.path])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains("Processing error"))
    }

    @Test("rules test says a timed-out -match is not an answer (exit 1), on one user and in a batch")
    func rulesTestBounded() throws {
        let user = "{\"displayName\": \"\(Self.evilName)\"}"
        let single = try BinaryRunner.run(["rules", "test", Self.evilRules[0], "--user", user])
        #expect(single.status == 1)
        #expect(single.standardError.contains("took longer than"))
        let folder = TemporaryDirectory()
        let escapedRule = Self.evilRules[0].replacingOccurrences(of: "\"", with: "\\\"")
        let lines = "{\"rule\": \"\(escapedRule)\", \"user\": \(user)}\n{\"rule\": \"user.displayName -eq \\\"x\\\"\", \"user\": {\"displayName\": \"x\"}}\n"
        let batch = folder.write(lines, to: "batch.jsonl")
        let result = try BinaryRunner.run(["rules", "test", "--batch", batch])
        let outputs = result.standardOutput.split(separator: "\n")
        #expect(outputs.count == 2, "\(result.standardOutput)")
        #expect(outputs.first?.contains("took longer than") == true)
        #expect(outputs.last == #"{"match":true}"#)
    }

    @Test("while another process holds the lock, status and users show answer at once and a writer says who it waits for")
    func lockHolderNamed() throws {
        let state = try TrustState()
        var lock: DirectoryLock? = try DirectoryLock(directory: state.path)
        // Readers: no wait at all.
        #expect(try state.run(["status"]).status == 0)
        #expect(try state.run(["users", "show", "adele.vance@contoso.com"]).status == 0)
        // A writer: waits, and after a second says who holds the lock.
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        let path = state.path
        DispatchQueue.global().async {
            box.result = try? BinaryRunner.run(["users", "set", "adele.vance@contoso.com", "department=Waited", "--state", path])
            done.signal()
        }
        // Long enough for the one-second notice; the writer can't finish while we hold the lock.
        #expect(done.wait(timeout: .now() + 3) == .timedOut, "a writer went ahead while the lock was held")
        lock = nil
        _ = lock
        #expect(done.wait(timeout: .now() + 60) == .success)
        let result = try #require(box.result)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("locked by \(ActorIdentity.current().name) (pid \(getpid())"), "\(result.standardError)")
    }
}

final class ResultBox: @unchecked Sendable {
    var result: BinaryRunner.Result?
}
