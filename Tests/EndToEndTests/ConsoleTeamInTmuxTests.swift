import Console
import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// The console a team uses, driven as a person would: the real binary in tmux, keys sent,
/// the screen polled for what a person would look for.
@Suite("Console for a team, in a real terminal (tmux)", .serialized)
struct ConsoleTeamInTmuxTests {
    @Test("three plans staged, y, y: one journal entry with all three; u, y puts them back")
    func stageThreeApplyUndo() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let store = StateStore(directory: directory.path)
        let before = try store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)!.assignedLicenses
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(directory))
        #expect(try session.waitFor("q quit") != nil)
        try session.sendKeys("2", "j", "Enter", "j", "Space", "j", "j", "Space", "j", "Space")
        #expect(try session.waitFor("3 of 16 enabled → 4 of 16 staged") != nil, "\((try? session.capture()) ?? "")")
        try session.sendKeys("y")
        #expect(try session.waitFor("Apply 3 plan changes to E3 with Selected Services?") != nil)
        let sequence = try store.load().sequence
        try session.sendKeys("y")
        #expect(try session.waitFor("applied 3 plan changes") != nil)
        #expect(try session.waitFor("4 of 16 enabled") != nil)
        let entries = try store.changes(after: sequence)
        let plans = entries.filter { if case .replaceGroupLicenses = $0.change { true } else { false } }
        #expect(plans.count == 1, "one change holds all three: \(entries.map(\.change))")
        try session.sendKeys("u")
        #expect(try session.waitFor("Undo your last change?") != nil)
        try session.sendKeys("y")
        #expect(try session.waitFor("undone: 3 plan changes on E3 with Selected Services") != nil)
        #expect(try session.waitFor("3 of 16 enabled") != nil)
        try session.sendKeys("q")
        #expect(session.waitForExit())
        #expect(try store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)!.assignedLicenses == before)
        #expect(try store.audit().contains { $0.detail.hasPrefix("undo of 3 plan changes on E3 with Selected Services") || $0.activity.contains("undo") })
    }

    @Test("a change made on the command line while a console is open is processed by the console within seconds")
    func commandLineChangeProcessed() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(directory))
        #expect(try session.waitFor("q quit") != nil)
        let result = try BinaryRunner.run(["groups", "plan", "disable", "--state", directory.path, "E3 All", "ENTERPRISEPACK", "SWAY"])
        #expect(result.status == 0, "\(result.standardError)")
        let store = StateStore(directory: directory.path)
        #expect(try !store.loadTenant().pending.isEmpty, "the command line only queues the work")
        #expect(try session.waitFor("E3 All: Sway off") != nil || session.waitFor("Sway") != nil, "\((try? session.capture()) ?? "")")
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, try !store.loadTenant().pending.isEmpty { usleep(100_000) }
        #expect(try store.loadTenant().pending.isEmpty, "the open console never processed the queued work")
        #expect(try session.waitFor("15 of 16 enabled") != nil)
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }

    @Test("at 80×24 the Users pane shows each user's licences and error marker; :user meg opens Megan Bowen")
    func smallTerminalAndUserByName() throws {
        let directory = TemporaryDirectory()
        let tenant = try TenantBuilders.demoWithCountViolations()
        try StateStore(directory: directory.path).initialise(with: tenant, force: false)
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(directory), columns: 80, rows: 24)
        #expect(try session.waitFor("q quit") != nil)
        #expect(try session.waitFor("Licence errors 2") != nil)
        // Errors first: s picks the sort column (Name, UPN, Licences, Err).
        try session.sendKeys("1", "s", "s", "s", "s")
        // Poll for the sorted rows, not only the header: a capture can fall between the redraw of
        // the title and the rows below it.
        func errorRows(_ screen: String) -> [String] {
            screen.split(separator: "\n").map(String.init).filter { $0.contains("Extra 3") || $0.contains("Extra 4") }
        }
        let sorted = try session.waitUntil { $0.contains("↑Err") && errorRows($0).count == 2 }
        let screen = try #require(sorted ?? (try? session.capture()), "the console did not draw")
        let rows = screen.split(separator: "\n").map(String.init)
        let extra = errorRows(screen)
        #expect(extra.count == 2, "\(screen)")
        for row in extra { #expect(row.contains("✗"), "\(row)") }
        #expect(rows.contains { $0.contains("Adele Vance") || $0.contains("ENTERPRISE") }, "\(screen)")
        try session.sendKeys(":")
        try session.sendKeys("-l", "user meg")
        try session.sendKeys("Enter")
        #expect(try session.waitFor("megan.bowen@contoso.com") != nil, "\((try? session.capture()) ?? "")")
        try session.sendKeys("Escape", "q")
        #expect(session.waitForExit())
    }
}

@Suite("Console for a team: what is typed, read and remembered (tmux)", .serialized)
struct ConsoleTypingInTmuxTests {
    @Test("a refusal stays on screen past refreshes and is in :messages; a long preview scrolls with its y/n line in view")
    func refusalsAndPreviews() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let session = try TmuxSession(command: ConsoleInTmuxTests.command(directory), columns: 100, rows: 24)
        #expect(try session.waitFor("q quit") != nil)
        try session.sendKeys("u")
        #expect(try session.waitFor("Warning: nothing to undo") != nil)
        // Several refresh ticks later the refusal is still there.
        usleep(1_500_000)
        #expect(try session.capture().contains("Warning: nothing to undo"))
        try session.sendKeys(":")
        try session.sendKeys("-l", "messages")
        try session.sendKeys("Enter")
        #expect(try session.waitFor("Messages of this session") != nil)
        #expect(try session.capture().contains("nothing to undo"))
        try session.sendKeys("Escape", "2", "e", "C-u")
        try session.sendKeys("-l", "user.accountEnabled -eq true")
        try session.sendKeys("Enter")
        let first = try #require(try session.waitFor("Save rule of E3 All? · lines 1-"), "\((try? session.capture()) ?? "")")
        #expect(first.contains("y save · n edit again"))
        try session.sendKeys("G")
        let last = try #require(try session.waitUntil { !$0.contains("lines 1-") }, "G did not scroll")
        #expect(last.contains("y save · n edit again"), "the y/n line left the screen:\n\(last)")
        try session.sendKeys("Escape", "q")
        #expect(session.waitForExit())
    }

    @Test("the chosen theme and the : history are the admin's own: a second session starts with light's background and ↑ brings the command back")
    func rememberedAcrossSessions() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let first = try TmuxSession(command: ConsoleInTmuxTests.command(directory))
        #expect(try first.waitFor("q quit") != nil)
        try first.sendKeys(":")
        try first.sendKeys("-l", "theme light")
        try first.sendKeys("Enter")
        #expect(try first.waitFor("kept for your next session") != nil)
        try first.sendKeys("q")
        #expect(first.waitForExit())
        let memory = ConsoleInTmuxTests.adminConfig(directory) + "/licensedesk/console.json"
        #expect(FileManager.default.fileExists(atPath: memory))
        let second = try TmuxSession(command: ConsoleInTmuxTests.command(directory))
        #expect(try second.waitFor("q quit") != nil)
        // light paints every cell's background (#eeeeee, colour 255 of 256).
        let styled = try second.captureWithStyles()
        // Light's 16-colour fallback: black on white for text, on every line, dim lines too.
        #expect(styled.contains("\u{1b}[30m\u{1b}[47m"), "no light background in:\n\(styled.prefix(600))")
        #expect(!styled.contains("\u{1b}[49m"), "a cell kept the terminal's own (dark) background:\n\(styled.prefix(900))")
        try second.sendKeys(":", "Up")
        #expect(try second.waitFor(":theme light") != nil)
        try second.sendKeys("Escape", "q")
        #expect(second.waitForExit())
    }
}
