import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

/// What an admin changes from a user's view and from the `:` line, each through the store.
@Suite("Console: user views act, seats from the console")
struct ConsoleUserActionTests {
    @Test(":seats below what is in use warns in the header and the Licences pane; u puts the seats back")
    func seats() throws {
        let console = try ConsoleHarness(columns: 140, rows: 30)
        console.press(":")
        console.type("seats ENTERPRISEPACK 30")
        console.press("Enter")
        // Previewed first, like every change; n changes nothing.
        #expect(console.text.contains("Set ENTERPRISEPACK to 30 seats: fewer than the 34 in use"), "\(console.text)")
        console.press("n")
        #expect(try console.store.loadTenant().sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 36)
        console.press(":")
        console.type("seats ENTERPRISEPACK 30")
        console.press("Enter", "y")
        #expect(console.text.contains("ENTERPRISEPACK: 30 seats: fewer than the 34 in use"), "\(console.text)")
        #expect(console.text.contains("(u undoes)"))
        #expect(console.screen[0].contains("✗ seats over: ENTERPRISEPACK"), "\(console.screen[0])")
        #expect(console.text.contains("seats 34 of 30 used ✗ 4 over"))
        #expect(try console.store.loadTenant().sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 30)
        console.press("u", "y")
        console.app.waitForBackgroundWork()
        #expect(try console.store.loadTenant().sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 36)
        #expect(!console.screen[0].contains("seats over"))
        console.press(":")
        console.type("seats NOPE 3")
        console.press("Enter")
        #expect(console.text.contains("no SKU is called NOPE; the tenant has ENTERPRISEPACK, EMS"))
    }

    @Test("in a user's view: a adds a direct licence through a prefilled :license line, Space switches one of its plans, R reprocesses")
    func userViewActions() throws {
        let console = try ConsoleHarness(columns: 100, rows: 80)
        console.press(":")
        console.type("user adele")
        console.press("Enter", "a")
        #expect(console.screen[78] == ":license add adele.vance@contoso.com")
        console.type("EMS")
        console.press("Enter")
        #expect(console.text.contains("Add a direct EMS to Adele Vance?"), "\(console.text)")
        console.press("y")
        console.app.waitForBackgroundWork()
        #expect(console.text.contains("Adele Vance: direct EMS added (u undoes)"), "\(console.text)")
        #expect(console.text.contains("┌─ User"), "back in the user's view")
        let adele = try #require(try console.store.loadTenant().users.first { $0.displayName == "Adele Vance" })
        #expect(adele.assignedLicenses.contains { $0.skuId == DemoTenant.emsSkuID })
        // Move to the first plan of the direct licence and switch it off.
        let screen = console.screen
        let title = try #require(screen.firstIndex { $0.contains("Direct licence EMS") })
        let top = try #require(screen.firstIndex { $0.contains("┌─ User") }) + 1
        for _ in 0..<(title + 1 - top) { console.press("j") }
        console.press("Space")
        #expect(console.text.contains("in Adele Vance's direct licence?"), "\(console.text)")
        console.press("y")
        console.app.waitForBackgroundWork()
        let after = try #require(try console.store.loadTenant().users.first { $0.displayName == "Adele Vance" })
        let direct = try #require(after.licenseAssignmentStates.first { $0.skuId == DemoTenant.emsSkuID && $0.assignedByGroup == nil })
        #expect(direct.disabledPlans.count == 1, "\(direct.disabledPlans)")
        #expect(console.text.contains("in the direct licence (u undoes)"))
        console.press("R")
        #expect(console.text.contains("Adele") && console.text.contains("reprocess"), "\(console.screen[78])")
        // Each went through the store: one audit record apiece.
        let activities = try console.store.audit().map(\.activity)
        #expect(activities.suffix(3) == ["Change user license", "Change user license", "Reprocess user license"], "\(activities)")
    }

    @Test("a long preview scrolls (j/k, PgDn, G, /) and its y/n line stays on screen")
    func previewScrolls() throws {
        // A rule that moves many users: the preview is longer than the screen.
        let console = try ConsoleHarness(columns: 100, rows: 24)
        console.press("2", "e", "Ctrl-U")
        console.type(#"user.accountEnabled -eq true"#)
        console.press("Enter")
        #expect(console.text.contains("Save rule of E3 All?"))
        let first = console.screen
        #expect(first[23].contains("y save · n edit again"))
        #expect(first[1].contains("lines 1-19 of"), "\(first[1])")
        console.press("G")
        #expect(console.screen[23].contains("y save · n edit again"))
        #expect(console.screen != first)
        #expect(console.screen[22].isEmpty || !console.screen[22].contains("Error"))
        console.press("g", "/")
        console.type("Megan")
        console.press("Enter")
        #expect(console.screen.contains { $0.contains("megan.bowen@contoso.com") }, "\(console.text)")
        console.press("n")
        #expect(console.text.contains("Edit rule: E3 All"), "n in the rule's preview edits again; it is not \"next match\"")
    }
}
