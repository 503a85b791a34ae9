import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

/// Whole screens against golden files (`Screens/`): the layout, every pane's table and
/// title, the footer, as an admin sees them. Re-record with LICENSEDESK_RECORD_SCREENS=1.
@Suite("Golden screens")
struct GoldenScreenTests {
    @Test("the demo at 100×30, as it opens")
    func opening() throws {
        #expect(ScreenSnapshot.check(try ConsoleHarness().screen, named: "demo-100x30"))
    }

    @Test("the demo at 80×24 on the Users pane: names, licences, error markers")
    func small() throws {
        let console = try ConsoleHarness(tenant: try ConsoleNavigationTests.tenantWithErrors(), columns: 80, rows: 24)
        #expect(ScreenSnapshot.check(console.press("1"), named: "errors-80x24-users"))
    }

    @Test("three plans staged on the group: [ →x] and [x→ ] rows, N of 16 staged")
    func staged() throws {
        let console = try ConsoleHarness()
        console.press("2", "j", "Enter", "j", "Space", "j", "j", "Space", "j", "Space")
        #expect(ScreenSnapshot.check(console.screen, named: "staged-three-plans"))
        #expect(ScreenSnapshot.check(console.press("y"), named: "staged-three-plans-preview"))
    }

    @Test("the members of a group with licence errors, errors only")
    func membersWithErrors() throws {
        let console = try ConsoleHarness(tenant: try ConsoleNavigationTests.tenantWithErrors())
        #expect(ScreenSnapshot.check(console.press("5", "E"), named: "members-errors-only"))
    }

    @Test("Megan Bowen's view: groups to open, each licence's paths, the direct licence's plans")
    func userView() throws {
        let console = try ConsoleHarness(columns: 100, rows: 60)
        console.press(":")
        console.type("user meg")
        #expect(ScreenSnapshot.check(console.press("Enter"), named: "user-megan-100x60"))
    }

    @Test("the Licences pane zoomed to the whole screen")
    func zoomed() throws {
        let console = try ConsoleHarness()
        #expect(ScreenSnapshot.check(console.press("3", "+", "+"), named: "licences-zoomed"))
    }

    @Test("ASCII drawing when the locale is not UTF-8")
    func ascii() throws {
        #expect(ScreenSnapshot.check(try ConsoleHarness(unicode: false).screen, named: "demo-ascii"))
    }

    @Test("the help, first page")
    func help() throws {
        #expect(ScreenSnapshot.check(try ConsoleHarness().press("?"), named: "help-100x30"))
    }
}
