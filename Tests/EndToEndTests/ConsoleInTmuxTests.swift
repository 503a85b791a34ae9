import Console
import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("Console in a real terminal (tmux)", .serialized)
struct ConsoleInTmuxTests {
    /// The console in `directory`, for an admin whose config folder is beside it (a state
    /// directory holds nothing but the state, or it is not seeded):
    /// one who has seen the first-run tour already, unless `firstRun`.
    static func command(_ directory: TemporaryDirectory, extra: String = "", firstRun: Bool = false) -> String {
        let config = adminConfig(directory, firstRun: firstRun)
        // NO_COLOR from the environment the tests run in would pick the monochrome theme.
        return "env -u NO_COLOR LC_ALL=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=\(config) \(extra) \(BinaryRunner.binaryPath) --state \(directory.path)"
    }

    static func adminConfig(_ directory: TemporaryDirectory, firstRun: Bool = false) -> String {
        let config = directory.sibling("config")
        if !firstRun { TourRecord.markShown(environment: ["XDG_CONFIG_HOME": config]) }
        return config
    }

    /// The walkthrough: find "E3 with Selected Services", stage a plan, preview and apply it,
    /// reprocess, quit.
    static func walkthrough(_ session: TmuxSession) throws {
        #expect(try session.waitFor("q quit") != nil, "the console never drew")
        try session.sendKeys("2", "j", "Enter")
        #expect(try session.waitFor("3 Licences: E3 with Selected Services") != nil)
        #expect(try session.waitFor("3 of 16 enabled") != nil)
        for _ in 0..<5 { try session.sendKeys("j") }
        try session.sendKeys("Space")
        #expect(try session.waitFor("[ →x] Microsoft Forms (Plan E3)") != nil)
        try session.sendKeys("y")
        #expect(try session.waitFor("Apply 1 plan change to E3 with Selected Services?") != nil)
        try session.sendKeys("y")
        #expect(try session.waitFor("4 of 16 enabled") != nil)
        // Waited for on its own: over SSH a frame can arrive in pieces, and a capture may hold
        // the new count before the row below it is redrawn.
        #expect(try session.waitFor("[x] Microsoft Forms (Plan E3)") != nil)
        #expect(try session.waitFor("Users successfully assigned licenses: 17") != nil)
        try session.sendKeys("R")
        #expect(try session.waitFor("E3 with Selected Services [Users successfully assigned licenses: 17") != nil)
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }

    static func checkStateOnDisk(_ directory: TemporaryDirectory) throws {
        let tenant = try StateStore(directory: directory.path).loadTenant()
        let group = try #require(tenant.group(id: DemoTenant.e3SelectedGroupID))
        #expect(group.assignedLicenses.first?.disabledPlans.count == 12)
        let forms = SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id
        let member = try #require(tenant.user(id: DemoTenant.userID(4)))
        #expect(member.assignedPlans.contains { $0.servicePlanId == forms && $0.capabilityStatus == "Enabled" })
        // R reached the store: the reprocess and the run it set off are in the audit log.
        let audit = try StateStore(directory: directory.path).audit(AuditQuery(object: "E3 with Selected Services"))
        #expect(audit.contains { $0.activity == "Reprocess group license" })
        #expect(audit.filter { $0.activity == "Finish applying group based license to users" }.count == 2)
    }

    @Test("on the demo tenant: go to the group, toggle a plan, press R, quit; the state on disk shows the change")
    func walkthroughLocally() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(command: Self.command(directory))
        try Self.walkthrough(session)
        try Self.checkStateOnDisk(directory)
    }

    @Test("two consoles edit one rule: the second save is stopped, shows the first admin's rule, and nothing is lost")
    func twoConsolesOneRule() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let first = try TmuxSession(command: Self.command(directory))
        let second = try TmuxSession(command: Self.command(directory))
        for session in [first, second] {
            #expect(try session.waitFor("q quit") != nil)
            try session.sendKeys("2", "e")
            #expect(try session.waitFor("Edit rule: E3 All") != nil)
        }
        try first.sendKeys("-l", #" -or user.department -eq "First""#)
        try first.sendKeys("Enter")
        #expect(try first.waitFor("Save rule of E3 All?") != nil)
        try first.sendKeys("y")
        #expect(try first.waitFor("rule saved") != nil)
        try second.sendKeys("-l", #" -or user.department -eq "Second""#)
        try second.sendKeys("Enter")
        #expect(try second.waitFor("Save rule of E3 All?") != nil)
        try second.sendKeys("y")
        let screen = try #require(try second.waitFor("Someone else changed the rule of E3 All"), "the second save went through silently")
        #expect(screen.contains(#"user.department -eq "First""#))
        #expect(screen.contains(#"user.department -eq "Second""#))
        let stored = try StateStore(directory: directory.path).loadTenant().group(id: DemoTenant.e3AllGroupID)?.membershipRule
        #expect(stored == #"user.extensionAttribute10 -eq "E3 All" -or user.department -eq "First""#)
        try second.sendKeys("d")
        #expect(try second.waitFor("your rule was discarded; theirs stays") != nil)
        try first.sendKeys("q")
        try second.sendKeys("q")
        #expect(first.waitForExit() && second.waitForExit())
    }

    @Test("a new admin sees the three-screen tour once; Esc dismisses it; the next start goes straight to the panes")
    func firstRunTour() throws {
        let directory = TemporaryDirectory()
        let first = try TmuxSession(command: Self.command(directory, firstRun: true))
        let screen = try #require(try first.waitFor("Tour 1 of 3: Find the group"))
        #expect(screen.contains("3 Licences: E3 with Selected Services"))
        try first.sendKeys("Enter")
        #expect(try first.waitFor("Tour 2 of 3: Toggle a service plan") != nil)
        try first.sendKeys("Enter")
        #expect(try first.waitFor("Tour 3 of 3: Watch pending evaluation, then press R") != nil)
        try first.sendKeys("Escape")
        #expect(try first.waitFor("tour closed") != nil)
        try first.sendKeys("q")
        #expect(first.waitForExit())

        let second = try TmuxSession(
            command: "env LC_ALL=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=\(directory.sibling("config")) \(BinaryRunner.binaryPath) --state \(directory.path)"
        )
        let panes = try #require(try second.waitFor("q quit"))
        #expect(!panes.contains("Tour 1 of 3"))
        try second.sendKeys("?")
        #expect(try second.waitFor("takes the first-run tour again") != nil)
        try second.sendKeys("t")
        #expect(try second.waitFor("Tour 1 of 3") != nil)
        try second.sendKeys("Escape", "q")
        #expect(second.waitForExit())
    }

    @Test("a window smaller than the minimum shows the too-small screen, and a resize brings the panes back")
    func tooSmallThenResize() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(command: Self.command(directory), columns: 40, rows: 8)
        let screen = try #require(try session.waitFor("Terminal too small"))
        #expect(screen.contains("need 70×18, have 40×8"))
        try session.resize(columns: 100, rows: 30)
        #expect(try session.waitFor("2 Groups") != nil)
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }

    @Test("with LANG=C the console draws ASCII boxes and says so")
    func asciiLocale() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(
            command:
                "env LC_ALL=C LANG=C TERM=tmux-256color XDG_CONFIG_HOME=\(Self.adminConfig(directory)) \(BinaryRunner.binaryPath) --state \(directory.path)")
        let screen = try #require(try session.waitFor("q quit"))
        #expect(screen.contains("+- 1 Users 44 of 44 -"))
        #expect(screen.contains("the locale is not UTF-8"))
        // The console's own glyphs reach the terminal as ASCII look-alikes, not as blanks.
        #expect(screen.contains(" LicenseDesk - Licence errors 0 - Contoso Ltd (DEMO) - "), "\(screen)")
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }

    @Test("Esc reaches the console quickly: it clears a filter")
    func escape() throws {
        let directory = TemporaryDirectory()
        let session = try TmuxSession(command: Self.command(directory))
        #expect(try session.waitFor("q quit") != nil)
        try session.sendKeys("1", "/", "m", "e", "g", "a", "n", "Enter")
        #expect(try session.waitFor("1 of 44") != nil)
        try session.sendKeys("Escape")
        let deadline = Date().addingTimeInterval(5)
        var cleared = false
        while Date() < deadline {
            if !(try session.capture().contains("1 of 44")) {
                cleared = true
                break
            }
            usleep(20_000)
        }
        #expect(cleared)
        try session.sendKeys("q")
        #expect(session.waitForExit())
    }
}
