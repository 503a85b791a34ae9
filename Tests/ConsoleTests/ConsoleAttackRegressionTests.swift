import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

/// What a helper found trying the console as a careless or hostile teammate, each kept as a test.
@Suite("Console: cases found by trying it")
struct ConsoleAttackRegressionTests {
    @Test("a 20,000-character paste into / or : is cut at the line's limit, and a frame stays one pass over what is shown")
    func hugePaste() throws {
        let console = try ConsoleHarness()
        console.press("1", "/")
        console.type(String(repeating: "a", count: 20_000))
        #expect(console.app.state.input.count == 1_000)
        #expect(console.screen[28].hasPrefix("/aaaa"))
        console.press("Esc", ":")
        console.type(String(repeating: "b", count: 20_000))
        #expect(console.app.state.input.count == 4_200)
        console.press("Home")
        #expect(console.frame[1, 28].style == .selection, "the cursor is drawn at the start")
    }

    @Test("q on the too-small screen and Ctrl-C warn once before staged changes or an edited rule are lost")
    func quitWarnsEverywhere() throws {
        let console = try ConsoleHarness()
        console.press("3", "j", "Space")
        console.size = TerminalSize(columns: 40, rows: 10)
        _ = console.app.handle(.resize(console.size))
        #expect(console.app.handle(.key(.character("q"))) == .redraw)
        #expect(console.text.contains("1 staged change"), "\(console.text)")
        #expect(console.app.handle(.key(.character("q"))) == .quit)
        let editing = try ConsoleHarness()
        editing.press("2", "e")
        editing.type(" -or user.city -eq \"X\"")
        #expect(editing.app.handle(.key(.control("c"))) == .redraw)
        #expect(editing.text.contains("your edit of the rule of E3 All would be lost: Ctrl-C again quits"))
        #expect(editing.app.handle(.key(.control("c"))) == .quit)
        // Nothing unsaved: q and Ctrl-C quit at once.
        #expect(try ConsoleHarness().app.handle(.key(.control("c"))) == .quit)
    }

    @Test("u works in a user's view, after a change made there")
    func undoInUserView() throws {
        let console = try ConsoleHarness(columns: 100, rows: 80)
        console.press(":")
        console.type("user adele")
        console.press("Enter", "a")
        console.type("EMS")
        console.press("Enter", "y")
        console.app.waitForBackgroundWork()
        console.press("u")
        #expect(console.text.contains("Undo your last change?"), "\(console.text)")
        console.press("y")
        console.app.waitForBackgroundWork()
        let adele = try #require(try console.store.loadTenant().users.first { $0.displayName == "Adele Vance" })
        #expect(!adele.assignedLicenses.contains { $0.skuId == DemoTenant.emsSkuID })
    }

    @Test(":user takes part of a name or of the UPN before the @; the shared domain matches no one by itself")
    func userSearchIgnoresDomain() throws {
        let tenant = DemoTenant.make()
        #expect(tenant.usersMatching("contoso").isEmpty)
        #expect(tenant.usersMatching("m").count < tenant.users.count)
        #expect(tenant.usersMatching("@contoso.com").count == tenant.users.count)
        #expect(tenant.usersMatching("bowen").map(\.displayName) == ["Megan Bowen"])
    }

    @Test("Tab after a property offers its operators; after a value, -and and -or")
    func completionFollowsTheRule() throws {
        let console = try ConsoleHarness()
        console.press("2", "e", "Ctrl-U")
        console.type("user.department ")
        console.press("Tab")
        #expect(console.screen[29].contains("Tab: -eq  -ne  -startsWith"), "\(console.screen[29])")
        #expect(!console.screen[29].contains("-and"))
        console.type("-eq \"Sales\" ")
        console.press("Tab")
        #expect(console.screen[29].contains("Tab: -and  -or"), "\(console.screen[29])")
        // What both begin with went in, as a shell does.
        #expect(console.app.state.input.hasSuffix("\" -"))
        console.type("a")
        console.press("Tab")
        #expect(console.app.state.input.hasSuffix("-and"))
    }

    @Test("a rule filter outside the user lists says where it works; / in a view starts a new search")
    func filtersSayWhere() throws {
        let console = try ConsoleHarness()
        console.press("2", "/")
        console.type(#"=user.department -eq "Retail""#)
        console.press("Enter")
        #expect(console.text.contains("a rule filter (=…) picks users: use it in 1 Users or 5 Members"))
        #expect(console.text.contains("2 Groups 2 of 2"))
        console.press("?", "/")
        console.type("reprocess")
        console.press("Enter", "/")
        #expect(console.screen[28] == "/", "a new search starts empty")
        console.press("Enter")
        #expect(console.app.state.detailQuery == "reprocess", "Enter on nothing finds the last text again")
    }

    @Test("a rule another admin saved while the editor was open is told at Enter, before the preview")
    func conflictBeforePreview() throws {
        let alice = try ConsoleHarness()
        let dana = try ConsoleHarness(sharing: alice, actor: "dana")
        alice.press("2", "e")
        dana.press("2", "e")
        dana.type(" -or user.city -eq \"Dana\"")
        dana.press("Enter", "y")
        _ = alice.app.tick(now: Date().addingTimeInterval(5))
        alice.type(" -or user.city -eq \"Alice\"")
        alice.press("Enter")
        #expect(alice.text.contains("Someone else changed the rule of E3 All"), "\(alice.text)")
        #expect(alice.prose.contains(#"user.city -eq "Dana""#))
    }
}

@Suite("Console loop: type-ahead and pastes")
struct ConsoleLoopTests {
    @Test("a 20,000-character paste is handled in a few frames, not one per character")
    func pasteIsBatched() throws {
        let console = try ConsoleHarness()
        let paste = Array(repeating: TerminalEvent?.some(.key(.character("a"))), count: 20_000)
        let terminal = FakeTerminal(events: [.key(.character("1")), .key(.character("/"))] + paste + [.key(.escape), .key(.character("q"))])
        ConsoleLoop.run(console.app, on: terminal)
        #expect(terminal.frames.count < 200, "\(terminal.frames.count) frames")
        #expect(console.app.state[.users].filter.isEmpty)
    }

    @Test("a y typed ahead never confirms a preview that was not on screen; after a pause it does")
    func typeAheadDropped() throws {
        let console = try ConsoleHarness()
        // 3, j, Space stage a plan; y opens the preview; the y typed straight after is dropped.
        let typed: [TerminalEvent?] = ["3", "j", " ", "y", "y"].map { .key(.character(Character($0))) }
        let terminal = FakeTerminal(events: typed, endWithControlC: true)
        ConsoleLoop.run(console.app, on: terminal)
        #expect(terminal.frames.contains { $0.lines.contains { $0.contains("Apply 1 plan change to E3 All?") } })
        #expect(try console.store.loadTenant().group(id: DemoTenant.e3AllGroupID)?.assignedLicenses.first?.disabledPlans.isEmpty == true, "nothing applied")
        // The same keys with a pause before the second y: the preview was seen, y applies.
        let seen = try ConsoleHarness()
        let paused: [TerminalEvent?] = ["3", "j", " ", "y"].map { .key(.character(Character($0))) } + [nil, .key(.character("y"))]
        ConsoleLoop.run(seen.app, on: FakeTerminal(events: paused, endWithControlC: true))
        seen.app.waitForBackgroundWork()
        #expect(try seen.store.loadTenant().group(id: DemoTenant.e3AllGroupID)?.assignedLicenses.first?.disabledPlans.count == 1)
    }
}
