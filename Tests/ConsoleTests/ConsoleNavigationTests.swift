import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

/// Objects connected both ways, tables, zoom: what an admin reaches from where they are.
@Suite("Console navigation: panes that follow, users found by name, tables")
struct ConsoleNavigationTests {
    /// The demo with four more E3 All members than seats: two get CountViolation.
    static func tenantWithErrors() throws -> Tenant { try TenantBuilders.demoWithCountViolations() }

    @Test("at 80×24 the Users pane shows each user's licences and error marker; at 70 columns the header keeps the error count")
    func smallTerminals() throws {
        let tenant = try Self.tenantWithErrors()
        let errored = tenant.users.filter(\.hasLicenseErrors)
        #expect(errored.count == 2)
        let console = try ConsoleHarness(tenant: tenant, columns: 80, rows: 24)
        // Sorting by the error column brings the errored users to the top.
        console.press("1", "s", "s", "s", "s")
        #expect(console.text.contains("1 Users 48 of 48 ↑Err"), "\(console.text)")
        for user in errored {
            let row = try #require(console.screen.first { $0.contains(user.displayName) }, "\(user.displayName) not on screen:\n\(console.text)")
            #expect(row.contains("✗"), "\(row)")
        }
        // Every user row on screen names its licences (cut, but there), or "-" for none.
        console.press("g")
        for row in console.screen[3..<9].map({ String($0.prefix(32)) }) {
            let user = try #require(tenant.users.first { row.contains($0.displayName.prefix(10)) }, "\(row)")
            let licences = user.assignedLicenses.map { tenant.sku(id: $0.skuId)!.skuPartNumber }.joined(separator: ",")
            #expect(row.contains(licences.isEmpty ? " - " : String(licences.prefix(10))), "\(row)")
        }
        let narrow = try ConsoleHarness(tenant: tenant, columns: 70, rows: 24)
        #expect(narrow.screen[0].contains("Licence errors 2"), "\(narrow.screen[0])")
    }

    @Test(":user meg opens Megan Bowen; a part many names share opens a picker; Enter picks")
    func userByPartOfName() throws {
        let console = try ConsoleHarness()
        console.press(":")
        console.type("user meg")
        console.press("Enter")
        #expect(console.text.contains("megan.bowen@contoso.com"), "\(console.text)")
        #expect(console.text.contains("┌─ User"))
        console.press("Esc", ":")
        console.type("user an")
        console.press("Enter")
        #expect(console.text.contains("Open which user?"), "\(console.text)")
        let matching = DemoTenant.make().usersMatching("an")
        #expect(matching.count > 1)
        #expect(console.text.contains("\(matching.count) users match"))
        console.press("j", "Enter")
        #expect(console.text.contains(matching[1].userPrincipalName), "\(console.text)")
        console.press("Esc", ":")
        console.type("explain meg")
        console.press("Enter")
        #expect(console.text.contains("Why: licences and plans"), "\(console.text)")
        console.press("Esc", ":")
        console.type("user nobody-at-all")
        console.press("Enter")
        #expect(console.text.contains("no user's name or UPN holds nobody-at-all"))
    }

    @Test("2, /Selected, Enter: the Licences pane follows the group the filter selected, as any other move")
    func licencesFollowFilter() throws {
        let console = try ConsoleHarness()
        #expect(console.text.contains("3 Licences: E3 All"))
        console.press("2", "/")
        console.type("Selected")
        console.press("Enter")
        #expect(console.text.contains("3 Licences: E3 with Selected Services"), "\(console.text)")
        console.press("Esc")
        console.press("G")
        #expect(console.text.contains("3 Licences: E3 with Selected Services"))
        console.press("g")
        #expect(console.text.contains("3 Licences: E3 All"))
    }

    @Test("5 shows the group's members with their licence state; E keeps the errored ones; Enter opens a user; Enter on a group in the user's view goes there")
    func membersBothWays() throws {
        let tenant = try Self.tenantWithErrors()
        let console = try ConsoleHarness(tenant: tenant)
        console.press("5")
        let members = tenant.group(id: DemoTenant.e3AllGroupID)!.members.count
        #expect(console.text.contains("5 Members: E3 All \(members) of \(members) · 4 Pending"), "\(console.text)")
        console.press("E")
        #expect(console.text.contains("5 Members: E3 All (errors only: E) 2 of \(members)"), "\(console.text)")
        #expect(console.text.contains("Extra 3") && console.text.contains("Extra 4"))
        #expect(console.text.contains("✗ CountViolation"))
        console.press("Enter")
        #expect(console.text.contains("┌─ User"))
        #expect(console.text.contains("CountViolation"))
        // The user's groups are lines of their own: move to one and Enter goes to it.
        let screen = console.screen
        let groupLine = try #require(screen.firstIndex { $0.contains("→ E3 All") })
        let first = try #require(screen.firstIndex { $0.contains("┌─ User") }) + 1
        for _ in 0..<(groupLine - first) { console.press("j") }
        console.press("Enter")
        #expect(console.app.state.focus == .groups)
        #expect(console.text.contains("3 Licences: E3 All"))
        console.press("4")
        #expect(console.text.contains("4 Pending"))
        #expect(console.text.contains("· 5 Members"))
    }

    @Test("s cycles the sort column and S reverses it; the title and the column header say which")
    func sorting() throws {
        let console = try ConsoleHarness()
        let names = DemoTenant.make().users.map(\.displayName)
        console.press("1", "s")
        #expect(console.text.contains("1 Users 44 of 44 ↑Name"))
        #expect(console.text.contains("Name↑"))
        let sorted = names.sorted { $0.lowercased() < $1.lowercased() }
        #expect(console.screen[3].contains(sorted[0]), "\(console.screen[3])")
        console.press("S", "g")
        #expect(console.text.contains("↓Name"))
        #expect(console.screen[3].contains(sorted.last!), "\(console.screen[3])")
        console.press("2", "s", "s")
        #expect(console.text.contains("2 Groups 2 of 2 ↑Members"))
    }

    @Test("+ zooms the focused pane to its column, then the screen; _ goes back")
    func zoom() throws {
        let console = try ConsoleHarness()
        console.press("3", "+")
        #expect(!console.text.contains("1 Users"))
        #expect(console.text.contains("2 Groups") == false)
        #expect(!console.text.contains("4 Pending"))
        console.press("+")
        #expect(console.screen[1].hasPrefix("┌─ 3 Licences"))
        console.press("_", "_")
        #expect(console.text.contains("1 Users") && console.text.contains("4 Pending"))
        console.press("_")
        #expect(console.text.contains("the panes are at their normal size"))
    }

    @Test("/= filters by a membership rule the model evaluates; a broken rule says where")
    func ruleFilter() throws {
        let console = try ConsoleHarness()
        let retail = DemoTenant.make().users.filter { $0.strings.all.contains { $0.1 == "Retail" } }.count
        #expect(retail > 1)
        console.press("1", "/")
        console.type(#"=user.department -eq "Retail""#)
        console.press("Enter")
        #expect(console.text.contains("1 Users \(retail) of 44"), "\(console.text)")
        console.press("/", "Ctrl-U")
        console.type(#"=user.departmnt -eq "Retail""#)
        console.press("Enter")
        #expect(console.text.contains("the filter is not a rule Entra would take: column"), "\(console.text)")
    }

    @Test("a Persian name with ZWNJ and an emoji ZWJ sequence keep their joiners on screen")
    func joinersKept() throws {
        var tenant = DemoTenant.make()
        try tenant.apply(
            .createUser(UserDraft(id: "persian", userPrincipalName: "mitra@contoso.com", displayName: "می\u{200C}ترا 👩\u{200D}💻")),
            context: ChangeContext(now: DemoTenant.createdAt, actor: "setup"))
        let console = try ConsoleHarness(tenant: tenant)
        console.press("1", "G", "Enter")
        #expect(console.frame.cells.contains { $0.character.unicodeScalars.contains("\u{200C}") })
        // The emoji sequence is laid out as its emoji, side by side, as ncurses counts it and
        // tmux draws it: 👩 and 💻 two cells each, the joiner not sent.
        let frame = console.frame
        let row = try #require((0..<frame.size.rows).first { frame.text(row: $0).contains("👩") })
        #expect(frame.text(row: row).contains("👩💻"), "\(frame.text(row: row))")
        #expect(!frame.cells.contains { $0.character.unicodeScalars.contains("\u{200D}") })
    }
}

@Suite("Console filter: typed on, backed off, after a change")
struct ConsoleFilterNarrowingTests {
    /// What `/` searches: a user's name, UPN and licences (and the error marker).
    static func count(_ filter: String, in tenant: Tenant) -> Int {
        tenant.users.filter { user in
            let licences = user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
            let text = [user.displayName, user.userPrincipalName, licences.isEmpty ? "-" : licences].joined(separator: "  ")
            return text.lowercased().contains(filter.lowercased())
        }.count
    }

    @Test("each keystroke's N of M is what a full search finds, as the filter grows, shrinks and changes")
    func narrowing() throws {
        let tenant = DemoTenant.make()
        let console = try ConsoleHarness(tenant: tenant)
        console.press("1", "/")
        var typed = ""
        for step in ["a", "l", "e", "Backspace", "Backspace", "n", "Backspace", "Backspace", "E", "M", "S"] {
            if step == "Backspace" {
                console.press("Backspace")
                typed.removeLast()
            } else {
                console.type(step)
                typed += step
            }
            let expected = typed.isEmpty ? 44 : Self.count(typed, in: tenant)
            #expect(console.text.contains("1 Users \(expected) of 44"), "after \"\(typed)\": \(console.screen[1])")
        }
    }

    @Test("a filter kept across another admin's change is searched afresh")
    func afterChange() throws {
        let console = try ConsoleHarness()
        console.press("1", "/")
        console.type("zed")
        console.press("Enter")
        #expect(console.text.contains("1 Users 0 of 44"))
        try console.store.commit(
            .createUser(UserDraft(id: "zed", userPrincipalName: "zed@contoso.com", displayName: "Zed Zedson")), context: ChangeContext(actor: "alice"))
        _ = console.app.tick(now: Date().addingTimeInterval(5))
        #expect(console.text.contains("1 Users 1 of 45"), "\(console.screen[1])")
    }
}
