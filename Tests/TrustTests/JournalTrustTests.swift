import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// Class 6: the journal detects what it cannot read. Class 5: the exit status is the truth.
@Suite("Trust: the journal refuses what it cannot read; a saved change is never reported as failed")
struct JournalTrustTests {
    func journal(_ state: TrustState) throws -> String {
        try String(contentsOfFile: state.file(StateFileName.journal), encoding: .utf8)
    }

    func setJournal(_ state: TrustState, _ text: String) throws {
        try text.write(toFile: state.file(StateFileName.journal), atomically: false, encoding: .utf8)
    }

    /// Two journaled changes on the demo tenant.
    func twoChanges() throws -> TrustState {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=One"]).status == 0)
        #expect(try state.run(["users", "set", "alex.wilber@contoso.com", "department=Two"]).status == 0)
        return state
    }

    static let badLastLines: [(String, String)] = [
        ("garbage", "this is not json\n"),
        ("newer format", #"{"v":3,"checksum":"0000000000000000","entry":{"sequence":3}}"# + "\n"),
        ("bad checksum", "CHECKSUM\n"),
        ("valid JSON, not an entry", #"{"sequence": "three"}"# + "\n"),
    ]

    @Test("a whole last line that does not read is refused, and nothing is ever appended after it", arguments: badLastLines.map(\.0))
    func unreadableLastLine(kind: String) throws {
        let state = try twoChanges()
        var text = try journal(state)
        var bad = Self.badLastLines.first { $0.0 == kind }!.1
        if bad == "CHECKSUM\n" {
            // The second line with one character of its entry changed: its checksum no longer holds.
            let lines = text.split(separator: "\n").map(String.init)
            bad = lines[1].replacingOccurrences(of: "Two", with: "Twp") + "\n"
            text = lines[0] + "\n"
        }
        try setJournal(state, text + bad)
        let before = try journal(state)
        let change = try state.run(["users", "set", "adele.vance@contoso.com", "department=Three"])
        #expect(change.status == 2, "\(change.standardError)")
        #expect(change.standardError.contains("journal.jsonl:"), "\(change.standardError)")
        if kind == "newer format" { #expect(change.standardError.contains("newer LicenseDesk (journal format 3")) }
        if kind == "bad checksum" { #expect(change.standardError.contains("checksum does not match")) }
        #expect(try journal(state) == before, "something was appended after an unreadable entry")
        #expect(try state.run(["status"]).status == 2, "a read took the damaged journal for a good one")
    }

    @Test("a journal cut at a line boundary, or out of order, is detected", arguments: ["cut at the end", "first entry gone", "swapped"])
    func cutOrReordered(kind: String) throws {
        let state = try twoChanges()
        let lines = try journal(state).split(separator: "\n").map(String.init)
        switch kind {
        case "cut at the end": try setJournal(state, lines[0] + "\n")
        case "first entry gone": try setJournal(state, lines[1] + "\n")
        default: try setJournal(state, lines[1] + "\n" + lines[0] + "\n")
        }
        let result = try state.run(["status"])
        #expect(result.status == 2, "\(kind): \(result.standardOutput)")
        #expect(result.standardError.contains("journal"), "\(result.standardError)")
        #expect(
            result.standardError.contains("missing") || result.standardError.contains("lost") || result.standardError.contains("out of order"),
            "\(result.standardError)")
    }

    @Test("journal lines carry their sequence and a checksum")
    func lineFormat() throws {
        let state = try twoChanges()
        let lines = try journal(state).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"v":2,"checksum":""#))
        #expect(lines[1].contains(#""sequence":2"#))
    }

    @Test("audit.jsonl replaced by a directory: the change exits 0 with a warning, and the record is written once it can be")
    func auditUnwritable() throws {
        let state = try TrustState()
        try FileManager.default.removeItem(atPath: state.file(StateFileName.audit))
        mkdir(state.file(StateFileName.audit), 0o770)
        let change = try state.run(["users", "set", "adele.vance@contoso.com", "department=Saved"])
        #expect(change.status == 0, "a saved change was reported as failed: \(change.standardError)")
        #expect(change.standardError.contains("is saved"), "\(change.standardError)")
        let shown = try state.run(["users", "show", "adele.vance@contoso.com", "--json"])
        #expect(shown.standardOutput.contains("Saved"))
        // The admin puts the file right; the next change writes the missing record too.
        rmdir(state.file(StateFileName.audit))
        #expect(try state.run(["users", "set", "alex.wilber@contoso.com", "department=Next"]).status == 0)
        let audit = try String(contentsOfFile: state.file(StateFileName.audit), encoding: .utf8)
        #expect(audit.contains("adele.vance") || audit.contains("Adele"), "the record of the first change was lost: \(audit)")
        let records = try StateStore(directory: state.path).audit()
        #expect(records.filter { $0.activity == "Update user" }.count == 2, "\(records.map(\.target))")
    }

    @Test("a torn audit tail is repaired, not glued to the next record")
    func tornAuditTail() throws {
        let state = try TrustState()
        let handle = try #require(FileHandle(forWritingAtPath: state.file(StateFileName.audit)))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"sequence":99,"time":"2026-"#.utf8))
        try handle.close()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=X"]).status == 0)
        let lines = try String(contentsOfFile: state.file(StateFileName.audit), encoding: .utf8).split(separator: "\n")
        let decoder = StateJSON.decoder()
        for line in lines {
            #expect((try? decoder.decode(AuditRecord.self, from: Data(line.utf8))) != nil, "a glued or torn line: \(line)")
        }
        #expect(lines.contains { $0.contains("Update user") })
    }

    @Test("a failed journal append leaves the state in hand as it was on disk (no phantom change)")
    func noPhantomChange() throws {
        let state = try TrustState()
        let store = StateStore(directory: state.path)
        var loaded = try store.load()
        let adele = try #require(loaded.tenant.users.first { $0.userPrincipalName.hasPrefix("adele") })
        // The journal can't be appended to: a directory in its place.
        mkdir(state.file(StateFileName.journal), 0o770)
        let change = TenantChange.setUserAttributes(userID: adele.id, values: ["department": "Phantom"])
        #expect(throws: StateError.self) {
            try store.commit(change, context: ChangeContext(actor: "test"), basedOn: loaded.basedOn(change), onto: &loaded)
        }
        #expect(loaded.tenant.user(id: adele.id)?.strings.all.contains { $0.value == "Phantom" } != true, "the console would show a change that was not saved")
    }

    @Test("entries of journal format 1 (no checksum) still read")
    func formatOneStillReads() throws {
        let state = try TrustState()
        let legacy = try String(contentsOfFile: Fixtures.path("journal-format-1.jsonl"), encoding: .utf8)
        try setJournal(state, legacy)
        let result = try state.run(["users", "show", "adele.vance@contoso.com", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("FromFormatOne"))
    }
}

/// The checked-in fixtures beside these tests.
enum Fixtures {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }
}
