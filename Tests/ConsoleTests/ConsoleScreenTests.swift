import Console
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit
import TestSupport
import Testing

@Suite("Console screens on a fake terminal")
struct ConsoleScreenTests {
    /// Selects "E3 with Selected Services" and moves to its Forms plan row.
    func onFormsPlan(_ console: ConsoleHarness) {
        console.press("2", "j", "Enter")
        for _ in 0..<5 { console.press("j") }
    }

    @Test("the layout shows the header counts, the four panes and the footer keys")
    func layout() throws {
        let console = try ConsoleHarness()
        let screen = console.text
        #expect(console.screen[0].hasPrefix(" LicenseDesk · Licence errors 0 · Contoso Ltd (DEMO) · Users 44 · Groups 2 · Pending 0 · "))
        for title in ["1 Users", "2 Groups", "3 Licences: E3 All", "4 Pending"] { #expect(screen.contains(title)) }
        #expect(screen.contains("ENTERPRISEPACK  16 of 16 enabled  seats 34 of 36 used"))
        #expect(console.screen.last?.contains("q quit") == true)
    }

    @Test("Space stages a plan ([ →x]), y previews, y applies: 4 of 16 and the members gain the plan, through the store")
    func spaceStages() throws {
        let console = try ConsoleHarness()
        onFormsPlan(console)
        #expect(console.text.contains("ENTERPRISEPACK  3 of 16 enabled"))
        #expect(console.text.contains("[ ] Microsoft Forms (Plan E3)"))
        console.press("Space")
        #expect(console.text.contains("[ →x] Microsoft Forms (Plan E3)"), "\(console.text)")
        #expect(console.text.contains("ENTERPRISEPACK  3 of 16 enabled → 4 of 16 staged"))
        #expect(try console.store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)?.assignedLicenses.first?.disabledPlans.count == 13, "staging wrote")
        console.press("y")
        #expect(console.text.contains("Apply 1 plan change to E3 with Selected Services?"))
        #expect(console.text.contains("on  Microsoft Forms (Plan E3)"))
        console.press("y")
        #expect(console.text.contains("ENTERPRISEPACK  4 of 16 enabled"))
        #expect(console.text.contains("[x] Microsoft Forms (Plan E3)"))
        #expect(console.text.contains("applied 1 plan change to E3 with Selected Services"))
        console.app.waitForBackgroundWork()
        #expect(console.text.contains("E3 with Selected Services [Users successfully assigned licenses: 17"))
        let stored = try console.store.loadTenant()
        let forms = SKUCatalog.shared.plan(matching: "FORMS_PLAN_E3")!.id
        let member = try #require(stored.user(id: DemoTenant.userID(4)))
        #expect(member.assignedPlans.contains { $0.servicePlanId == forms && $0.capabilityStatus == "Enabled" })
    }

    @Test("three staged plans, y, y: one journal entry and one audit record with all three; u previews and undoes it")
    func threeStagedOneChangeThenUndo() throws {
        let console = try ConsoleHarness()
        onFormsPlan(console)
        console.press("Space", "j", "Space", "j", "Space")
        #expect(console.text.contains("3 of 16 enabled → 6 of 16 staged"))
        let sequence = try console.store.load().sequence
        console.press("y")
        #expect(console.text.contains("Apply 3 plan changes"))
        console.press("y")
        #expect(console.text.contains("ENTERPRISEPACK  6 of 16 enabled"))
        console.app.waitForBackgroundWork()
        let entries = try console.store.changes(after: sequence)
        #expect(entries.filter { if case .replaceGroupLicenses = $0.change { true } else { false } }.count == 1)
        let audit = try console.store.audit().filter { $0.activity == "Set group license" }
        #expect(audit.count == 1)
        #expect(audit.first?.detail == "ENTERPRISEPACK: 3 of 16 -> 6 of 16 enabled")
        console.press("u")
        #expect(console.text.contains("Undo your last change?"))
        #expect(console.text.contains("Undo 3 plan changes on E3 with Selected Services"))
        console.press("y")
        #expect(console.text.contains("undone: 3 plan changes"))
        #expect(console.text.contains("ENTERPRISEPACK  3 of 16 enabled"))
        console.app.waitForBackgroundWork()
        let undo = try console.store.audit().filter { $0.activity == "Set group license" }.last
        #expect(undo?.detail == "undo of 3 plan changes on E3 with Selected Services: ENTERPRISEPACK: 6 of 16 -> 3 of 16 enabled")
        #expect(try console.store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)?.assignedLicenses.first?.disabledPlans.count == 13)
    }

    @Test("staged changes another admin made meanwhile drop out; a conflict keeps the rest on top of theirs; q warns before losing them")
    func stagingAfterOthersChange() throws {
        let alice = try ConsoleHarness()
        let dana = try ConsoleHarness(sharing: alice, actor: "dana")
        onFormsPlan(alice)
        alice.press("Space", "j", "Space")  // Forms and Skype staged on
        // Dana switches Forms on herself, from her console.
        onFormsPlan(dana)
        dana.press("Space", "y", "y")
        dana.app.waitForBackgroundWork()
        _ = alice.app.tick(now: Date().addingTimeInterval(5))
        #expect(alice.text.contains("3 of 16 enabled") == false || alice.text.contains("4 of 16 enabled → 5 of 16 staged"), "\(alice.text)")
        alice.press("y")
        #expect(alice.text.contains("Apply 1 plan change"), "Forms is done already: only Skype is left")
        alice.press("y")
        #expect(alice.text.contains("changed since you staged (dana"), "\(alice.text)")
        alice.press("y")
        #expect(alice.text.contains("Apply 1 plan change"))
        alice.press("y")
        #expect(alice.text.contains("applied 1 plan change"), "\(alice.text)")
        alice.app.waitForBackgroundWork()
        #expect(try alice.store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)?.assignedLicenses.first?.disabledPlans.count == 11)
        onFormsPlan(alice)
        alice.press("Space", "q")
        #expect(alice.text.contains("1 staged change (y applies them, x drops them) would be lost: q again quits"), "\(alice.text)")
        #expect(alice.app.handle(.key(.character("q"))) == .quit)
    }

    @Test("changes confirmed while processing runs wait for it and then apply, in Pending meanwhile")
    func confirmedDuringRun() throws {
        let console = try ConsoleHarness()
        try console.store.commit(.reprocessGroup(groupID: DemoTenant.e3AllGroupID), context: ChangeContext(actor: "cli"))
        // Another process holds the state's lock: the run the console starts waits for it.
        let lockFile = open(console.directory.file("state.lock"), O_RDONLY | O_CREAT, 0o660)
        #expect(flock(lockFile, LOCK_EX) == 0)
        _ = console.app.tick(now: Date().addingTimeInterval(2))
        #expect(console.app.isProcessing)
        onFormsPlan(console)
        console.press("Space", "y", "y")
        #expect(console.text.contains("1 plan change wait for the current run"), "\(console.text)")
        // The Pending pane is narrow: + zooms it to the whole screen, where nothing is cut.
        console.press("4", "+", "+")
        #expect(console.text.contains("waits for this run, then applies: 1 plan change"), "\(console.text)")
        console.press("_", "_")
        flock(lockFile, LOCK_UN)
        close(lockFile)
        console.app.waitForBackgroundWork()
        _ = console.app.tick(now: Date().addingTimeInterval(4))
        console.app.waitForBackgroundWork()
        let entries = try console.store.changes(after: 0)
        #expect(entries.contains { if case .replaceGroupLicenses = $0.change { true } else { false } }, "the confirmed change was lost")
        #expect(!console.app.state.applyWhenIdle)
        #expect(try console.store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)?.assignedLicenses.first?.disabledPlans.count == 12)
    }

    @Test("keys do nothing on the too-small screen but q")
    func tooSmallIgnoresKeys() throws {
        let console = try ConsoleHarness(columns: 40, rows: 10)
        _ = console.screen
        console.press("2", "j", "Enter")
        let before = try console.store.load().sequence
        #expect(console.app.handle(.key(.character(" "))) == .none)
        #expect(console.app.handle(.key(.character("y"))) == .none)
        #expect(try console.store.load().sequence == before)
        #expect(console.app.handle(.key(.character("q"))) == .quit)
    }

    @Test("x drops what is staged; n goes back with it kept; u is refused once another admin changed the group")
    func dropAndUndoConflict() throws {
        let console = try ConsoleHarness()
        onFormsPlan(console)
        console.press("Space", "y", "n")
        #expect(console.text.contains("nothing applied; 1 still staged"))
        console.press("x")
        #expect(console.text.contains("dropped 1 staged change"))
        #expect(console.text.contains("[ ] Microsoft Forms (Plan E3)"))
        console.press("Space", "y", "y")
        console.app.waitForBackgroundWork()
        // Another admin changes the same group's licences from the command line.
        let other = try console.store.load()
        _ = try console.store.commit(
            .setGroupPlan(
                groupID: DemoTenant.e3SelectedGroupID, skuId: DemoTenant.e3SkuID, planId: SKUCatalog.shared.plan(matching: "SWAY")!.id, enabled: true),
            context: ChangeContext(actor: "dana"), basedOn: other.basedOn(.reprocessGroup(groupID: DemoTenant.e3SelectedGroupID)))
        _ = console.app.tick(now: Date().addingTimeInterval(5))  // the console sees dana's change (and processes it)
        console.app.waitForBackgroundWork()
        console.press("u")
        #expect(console.text.contains("can't undo 1 plan change on E3 with Selected Services: dana changed it since"), "\(console.text)")
        console.press("y")
        let group = try console.store.loadTenant().group(id: DemoTenant.e3SelectedGroupID)
        #expect(group?.assignedLicenses.first?.disabledPlans.count == 11, "the undo undid dana's change too")
    }

    @Test("R on a group whose members had CountViolation, after seats were raised, clears the errors")
    func reprocessClearsErrors() throws {
        let tenant = try TenantBuilders.demoWithCountViolations()
        let context = ChangeContext(now: DemoTenant.createdAt, actor: "setup")
        let console = try ConsoleHarness(tenant: tenant)
        #expect(console.screen[0].contains("Licence errors 2"))
        #expect(console.screen.contains { $0.contains("E3 All") && $0.contains("21  ✗ 2") }, "\(console.text)")
        try console.store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        _ = console.app.tick(now: Date().addingTimeInterval(5))
        #expect(console.text.contains("seats 36 of 40 used"))
        #expect(console.screen[0].contains("Licence errors 2"))
        console.press("2")
        console.press("R")
        #expect(console.text.contains("21 members of E3 All queued for reprocessing"))
        console.app.waitForBackgroundWork()
        #expect(console.screen[0].contains("Licence errors 0"))
        #expect(console.text.contains("E3 All [Users successfully assigned licenses: 21, Users for whom license assignment failed: 0.]"))
        #expect(console.text.contains("seats 38 of 40 used"))
    }

    @Test("/ filters the focused list as you type and shows N of M; Esc clears it")
    func filter() throws {
        let console = try ConsoleHarness()
        console.press("1", "/")
        console.type("alex")
        // Row text: name, UPN, licences (the UPN is searched even when the pane is too narrow to show it).
        let expected = DemoTenant.make().users.filter { ($0.displayName + $0.userPrincipalName).lowercased().contains("alex") }.count
        #expect(expected > 0)
        #expect(console.text.contains("1 Users \(expected) of 44 /alex"), "\(console.text)")
        console.press("Enter")
        #expect(console.text.contains("1 Users \(expected) of 44 /alex"))
        console.press("/")
        console.press("Ctrl-U")
        console.type("megan")
        #expect(console.text.contains("1 Users 1 of 44 /megan"))
        #expect(console.text.contains("Megan Bowen"))
        console.press("Enter", "Esc")
        #expect(console.text.contains("1 Users 44 of 44"))
        #expect(!console.text.contains("/megan"))
    }

    @Test("? shows help built from the binding table, with why a key can't act now")
    func help() throws {
        // Tall enough for the whole help; it wraps long lines, so it is read as running text.
        let console = try ConsoleHarness(columns: 100, rows: 90)
        console.press("?")
        let text = console.prose
        #expect(text.contains("Space"))
        #expect(text.contains("mark the selected service plan to switch on or off"))
        #expect(text.contains("preview everything staged"))
        #expect(text.contains("undo this console's last change"))
        #expect(text.contains("reprocess the selected group"))
        #expect(text.contains("now: Space marks a service plan to switch: move to a plan row"))
        console.press("Esc")
        #expect(console.text.contains("2 Groups"))
    }

    @Test("a key that can't act says why in the status line")
    func disabledKeys() throws {
        let console = try ConsoleHarness()
        console.press("1", "Space")
        #expect(console.screen[console.screen.count - 2].hasPrefix("Warning: Space mark the selected service plan to switch on or off"))
        console.press("3", "Space")
        #expect(console.screen[console.screen.count - 2].contains("move to a plan row"))
    }

    @Test("Enter on a user opens its detail: every path and where each plan comes from")
    func userDetail() throws {
        let console = try ConsoleHarness(columns: 100, rows: 80)
        console.press(":")
        console.type("user megan.bowen@contoso.com")
        console.press("Enter")
        let text = console.text
        #expect(text.contains("direct: Active, 2 of 16 plans"))
        #expect(text.contains("via group E3 with Selected Services: Active, 3 of 16 plans"))
        #expect(text.contains("Exchange Online (Plan 2)  from direct, group E3 with Selected Services"))
        console.press("Esc")
        #expect(console.text.contains("4 Pending"))
    }

    @Test("a 20×6 terminal shows the too-small screen with the size needed")
    func tooSmall() throws {
        let console = try ConsoleHarness(columns: 20, rows: 6)
        #expect(console.screen[0] == "Terminal too small")
        #expect(console.screen[1].hasPrefix("need 70×18"))
    }

    @Test("a display name holding ESC[2J renders inert")
    func hostileDisplayName() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(
            .createUser(UserDraft(id: "eve", userPrincipalName: "eve@contoso.com", displayName: "Eve\u{1b}[2J\u{1b}]0;pwned\u{7}")),
            context: ChangeContext(now: DemoTenant.createdAt, actor: "setup"))
        let console = try ConsoleHarness(tenant: tenant)
        // The user's own view shows the whole name (the Users pane may cut it).
        console.press("1", "G", "Enter")
        #expect(console.text.contains("Eve␛[2J␛]0;pwned␇"), "\(console.text)")
        #expect(!console.frame.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 } })
    }

    @Test("ASCII glyphs when the locale is not UTF-8")
    func asciiFallback() throws {
        let console = try ConsoleHarness(unicode: false)
        #expect(console.screen[1].hasPrefix("+- 1 Users 44 of 44 -"))
        #expect(!console.text.contains("┌"))
    }

    @Test("processing runs in the background: keys still work, a second change waits, progress shows")
    func backgroundProcessing() throws {
        let console = try ConsoleHarness(tenant: SyntheticTenant.make(users: 3_000, groups: 4))
        console.press("2", "R")
        console.press("j")
        console.press("k")
        let during = console.text
        console.app.waitForBackgroundWork()
        #expect(during.contains("queued for reprocessing") || during.contains("of"))
        #expect(console.text.contains("[Users successfully assigned licenses:"))
        #expect(!console.app.isProcessing)
    }

    @Test("another admin's change shows up at the next tick")
    func liveRefresh() throws {
        let console = try ConsoleHarness()
        try console.store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 99), context: ChangeContext(actor: "bob"))
        #expect(console.app.tick(now: Date().addingTimeInterval(2)) == .redraw)
        #expect(console.text.contains("seats 34 of 99 used"))
        #expect(console.text.contains("bob: ENTERPRISEPACK: Update subscription (seats: 36 -> 99)"), "\(console.text)")
        try console.store.commit(
            .setGroupPlan(groupID: DemoTenant.e3AllGroupID, skuId: DemoTenant.e3SkuID, planId: SKUCatalog.shared.plan(matching: "SWAY")!.id, enabled: false),
            context: ChangeContext(actor: "alice"))
        #expect(console.app.tick(now: Date().addingTimeInterval(4)) == .redraw)
        #expect(console.text.contains("alice: E3 All: Sway off"), "\(console.text)")
    }

    @Test("the audit view lists changes made in the console, newest first")
    func auditView() throws {
        let console = try ConsoleHarness()
        onFormsPlan(console)
        console.press("Space", "y", "y")
        console.app.waitForBackgroundWork()
        console.press("A")
        let me = ActorIdentity.current().name
        #expect(console.text.contains("\(me)  Set group license  E3 with Selected Services"))
        #expect(console.text.contains("ENTERPRISEPACK: 3 of 16 -> 4 of 16 enabled"))
    }

    @Test("a bad theme file gives its file and line, and the default is used")
    func badTheme() throws {
        let directory = TemporaryDirectory()
        try "[tokens]\nheader = #ffffff/#000000, 16: white/purple\n".write(toFile: directory.file("broken.theme"), atomically: true, encoding: .utf8)
        let result = ThemeLoader.load(named: "broken", searchPath: [directory.path])
        guard case .failure(let error) = result else {
            Issue.record("a bad theme loaded")
            return
        }
        #expect(error.description.hasPrefix(directory.file("broken.theme") + ":2:"))
        let (theme, warning) = ThemeLoader.resolve(flag: directory.file("broken.theme"))
        #expect(theme.name == "default")
        #expect(warning?.contains("broken.theme:2") == true)
    }

    @Test("the shipped themes all parse; NO_COLOR picks monochrome")
    func shippedThemes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["default", "light", "monochrome", "high-contrast"] {
            let result = ThemeLoader.load(named: name, searchPath: [root.appendingPathComponent("themes").path])
            guard case .success(let theme) = result else {
                Issue.record("\(name): \(result)")
                continue
            }
            #expect(theme.name == name)
        }
        #expect(ThemeLoader.resolve(flag: nil, environment: ["NO_COLOR": "1"]).0.usesColor == false)
    }
}

@Suite("Rule editor in the console")
struct RuleEditorTests {
    @Test("e edits the rule with live validation, shows the impact, and y saves it through the store")
    func editRule() throws {
        let console = try ConsoleHarness()
        console.press("2", "e")
        #expect(console.text.contains(#"user.extensionAttribute10 -eq "E3 All""#))
        // The cursor is a lit cell just after the rule.
        let frame = console.frame
        let row = try #require(console.screen.firstIndex { $0.contains(#"-eq "E3 All""#) })
        let end = try #require(console.screen[row].range(of: #""E3 All""#)).upperBound
        let column = console.screen[row].distance(from: console.screen[row].startIndex, to: end)
        #expect(frame[column, row].style == .selection)
        #expect(console.text.contains("valid: user.extensionAttribute10 -eq \"E3 All\""))
        console.type(" -and user.citty -ne \"Seattle\"")
        #expect(console.text.contains("Error: column 45: Attribute not supported. user.citty is not a user property"))
        let lines = console.screen
        let ruleRow = try #require(lines.firstIndex { $0.contains("user.citty") })
        #expect(lines[ruleRow + 1].contains("^^^^^^^^^^"))
        for _ in 0..<17 { console.press("Backspace") }
        console.type("ty -ne \"Seattle\"")
        #expect(console.text.contains("valid:"))
        #expect(console.text.contains("16 of 44 users match"))
        console.press("Enter")
        #expect(console.text.contains("E3 All: 0 would join, 1 would leave"))
        #expect(console.text.contains("ENTERPRISEPACK: seats used -1"))
        console.press("y")
        #expect(console.text.contains("rule saved; membership is being evaluated"))
        console.app.waitForBackgroundWork()
        let stored = try console.store.loadTenant()
        #expect(stored.group(id: DemoTenant.e3AllGroupID)?.membershipRule == #"user.extensionAttribute10 -eq "E3 All" -and user.city -ne "Seattle""#)
        #expect(stored.group(id: DemoTenant.e3AllGroupID)?.members.count == 16)
    }

    /// Alice and Dana both open the editor on E3 All; Alice saves first.
    static func bothEditAliceSavesFirst() throws -> (ConsoleHarness, ConsoleHarness) {
        let alice = try ConsoleHarness()
        let dana = try ConsoleHarness(sharing: alice, actor: "dana")
        alice.press("2", "e")
        dana.press("2", "e")
        alice.type(#" -or user.department -eq "Alice""#)
        alice.press("Enter", "y")
        #expect(alice.text.contains("rule saved"))
        alice.app.waitForBackgroundWork()
        return (alice, dana)
    }

    @Test("two admins edit one rule: the second save is stopped with who, when and their rule; e edits on top, d discards")
    func noLostUpdate() throws {
        let (alice, dana) = try Self.bothEditAliceSavesFirst()
        // Dana's console refreshes (as it does every second), but her edit is based on what she opened.
        _ = dana.app.tick(now: Date().addingTimeInterval(5))
        dana.type(#" -or user.department -eq "Dana""#)
        dana.press("Enter", "y")
        let stopped = dana.text
        #expect(stopped.contains("Someone else changed the rule of E3 All"), "\(stopped)")
        #expect(stopped.contains("tester changed this group at"))
        #expect(stopped.contains(#"user.department -eq "Alice""#), "their rule is shown")
        #expect(stopped.contains(#"user.department -eq "Dana""#), "her own rule is shown, not lost")
        let rule = { try alice.store.loadTenant().group(id: DemoTenant.e3AllGroupID)?.membershipRule }
        #expect(try rule() == #"user.extensionAttribute10 -eq "E3 All" -or user.department -eq "Alice""#, "Alice's save was overwritten")
        // e: back in the editor with her rule, now based on Alice's; saving lands.
        dana.press("e")
        #expect(dana.text.contains("tester's rule, now saved"))
        dana.press("Enter", "y")
        #expect(dana.text.contains("rule saved"), "\(dana.text)")
        dana.app.waitForBackgroundWork()
        #expect(try rule() == #"user.extensionAttribute10 -eq "E3 All" -or user.department -eq "Dana""#)
        let saves = try alice.store.audit().filter { $0.activity == "Update group" }
        #expect(saves.count == 2, "each save audited once: \(saves.map(\.detail))")
    }

    @Test("a long rule wraps in the editor, its end and cursor in view, the caret under the piece it points into")
    func longRuleWraps() throws {
        let console = try ConsoleHarness()
        console.press("2", "e")
        let clause = #" -or user.department -eq "Department number seven""#
        console.type(String(repeating: clause, count: 5) + " -or user.citty -eq \"END\"")
        let lines = console.screen
        let end = try #require(lines.firstIndex { $0.contains(#"user.citty -eq "END""#) }, "the end of the rule is cut off")
        #expect(lines[end + 1].contains("^^^^^^^^^^"), "\(lines[end + 1])")
        #expect(console.text.contains("Error: column"))
    }

    @Test("d after a conflict keeps the other admin's rule and drops mine")
    func conflictDiscard() throws {
        let (alice, dana) = try Self.bothEditAliceSavesFirst()
        dana.type(#" -or user.city -eq "Oslo""#)
        dana.press("Enter", "y")
        #expect(dana.text.contains("Someone else changed the rule"))
        dana.press("d")
        #expect(dana.text.contains("your rule was discarded; theirs stays"))
        #expect(try alice.store.loadTenant().group(id: DemoTenant.e3AllGroupID)?.membershipRule?.contains("Alice") == true)
    }

    @Test("Esc leaves the rule as it was; a static group has no rule to edit")
    func cancel() throws {
        let console = try ConsoleHarness()
        console.press("2", "e")
        console.type(" -or true")
        console.press("Esc")
        #expect(console.text.contains("rule not changed"))
        #expect(try console.store.loadTenant().group(id: DemoTenant.e3AllGroupID)?.membershipRule == #"user.extensionAttribute10 -eq "E3 All""#)
    }
}

@Suite("Console messages")
struct ConsoleMessageTests {
    @Test("a refusal stays until the next key, whatever ticks; :messages keeps every message whole")
    func heldAndLogged() throws {
        let console = try ConsoleHarness()
        console.press("1", "Space")
        let refusal = console.screen[console.screen.count - 2]
        #expect(refusal.contains("Space mark the selected service plan"))
        // Another admin's change lands while the refusal is shown: it is logged, not shown over it.
        var other = try console.store.load()
        _ = try console.store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 99), context: ChangeContext(actor: "dana"), onto: &other)
        _ = console.app.tick(now: Date().addingTimeInterval(5))
        #expect(console.screen[console.screen.count - 2] == refusal, "the refusal was overwritten between keys")
        console.press("j")
        console.press(":")
        console.type("messages")
        console.press("Enter")
        let text = console.text
        #expect(text.contains("Messages of this session"))
        #expect(text.contains("Warning: Space mark the selected service plan"))
        #expect(text.contains("dana: ENTERPRISEPACK: Update subscription (seats: 36 -> 99)"))
    }
}

@Suite("Console processing queued work by itself")
struct ConsoleAutomaticProcessingTests {
    @Test("work queued by the command line is processed by an open console without being asked; p pauses it")
    func processesWhatTheCLIQueued() throws {
        let console = try ConsoleHarness()
        console.press("p")
        #expect(console.screen[0].contains("paused (p)"))
        // The command line (another process) queues a reprocess.
        try console.store.commit(.reprocessGroup(groupID: DemoTenant.e3AllGroupID), context: ChangeContext(actor: "cli"))
        _ = console.app.tick(now: Date().addingTimeInterval(2))
        #expect(!console.app.isProcessing, "processing ran while paused")
        #expect(try console.store.loadTenant().pending.licenseGroups == [DemoTenant.e3AllGroupID])
        console.press("p")
        #expect(console.text.contains("processing resumed"))
        _ = console.app.tick(now: Date().addingTimeInterval(4))
        console.app.waitForBackgroundWork()
        #expect(try console.store.loadTenant().pending.isEmpty, "the queued work was left")
    }

    @Test("two consoles offered the same work: one runs it, the other journals nothing")
    func oneRunForTwoConsoles() throws {
        let alice = try ConsoleHarness()
        let dana = try ConsoleHarness(sharing: alice, actor: "dana")
        try alice.store.commit(.reprocessGroup(groupID: DemoTenant.e3AllGroupID), context: ChangeContext(actor: "cli"))
        let before = try alice.store.load().sequence
        _ = alice.app.tick(now: Date().addingTimeInterval(2))
        alice.app.waitForBackgroundWork()
        _ = dana.app.tick(now: Date().addingTimeInterval(2))
        dana.app.waitForBackgroundWork()
        let runs = try alice.store.changes(after: before).filter { $0.change == .processPending }
        #expect(runs.count == 1, "\(runs.count) processing runs journaled for one piece of work")
    }
}

@Suite("Themes built into the binary")
struct BuiltInThemeTests {
    static let repositoryThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    @Test("every theme of themes/ loads with no search path at all, the same as its file", arguments: ["default", "monochrome", "light", "high-contrast"])
    func builtIn(name: String) throws {
        let fromNothing = try ThemeLoader.load(named: name, searchPath: []).get()
        let fromFile = try ThemeLoader.load(named: name, searchPath: [Self.repositoryThemes]).get()
        #expect(fromNothing == fromFile, "the built-in \(name) differs from themes/\(name).theme")
    }
}
