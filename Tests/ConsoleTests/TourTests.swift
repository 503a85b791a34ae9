import Console
import Foundation
import LicenseModel
import TerminalKit
import TestSupport
import Testing

@Suite("First-run tour")
struct TourTests {
    @Test("three screens walk from the group to a plan toggle to pending work and R, each over its pane")
    func threeScreens() throws {
        let console = try ConsoleHarness()
        console.app.startTour()
        var text = console.text
        #expect(text.contains("Tour 1 of 3: Find the group"))
        #expect(text.contains(#"user.extensionAttribute10 -eq "E3 with Selected Services""#))
        // The group the screen talks about is selected, and its licences are in pane 3.
        #expect(console.app.state.focus == .groups)
        #expect(text.contains("3 Licences: E3 with Selected Services"))
        #expect(console.app.state.selectedGroupID == DemoTenant.e3SelectedGroupID)

        // The card moves to the other half of the screen, away from the pane it talks about.
        text = console.press("Enter").joined(separator: "\n")
        #expect(text.contains("Tour 2 of 3: Toggle a service plan"))
        #expect(text.contains("ENTERPRISEPACK  3 of 16 enabled"))
        #expect(text.contains("Space"))
        #expect(console.app.state.focus == .licences)

        text = console.press("Right").joined(separator: "\n")
        #expect(text.contains("Tour 3 of 3: Watch pending evaluation, then press R"))
        #expect(text.contains("Enter finish"))
        #expect(console.app.state.focus == .pending)

        text = console.press("Left").joined(separator: "\n")
        #expect(text.contains("Tour 2 of 3"))

        console.press("Enter")
        text = console.press("Enter").joined(separator: "\n")
        #expect(!text.contains("Tour "))
        #expect(console.app.state.mode == .browse)
        #expect(text.contains("tour done"))
    }

    @Test("Esc dismisses the tour; t in the help, or :tour, opens it again")
    func dismissAndReopen() throws {
        let console = try ConsoleHarness()
        console.app.startTour()
        var text = console.press("Esc").joined(separator: "\n")
        #expect(!text.contains("Tour 1 of 3"))
        #expect(text.contains("tour closed: t in the help (?) opens it again"))

        text = console.press("?").joined(separator: "\n")
        #expect(text.contains("takes the first-run tour again"))
        text = console.press("t").joined(separator: "\n")
        #expect(text.contains("Tour 1 of 3: Find the group"))

        console.press("q")
        console.press(":")
        console.type("tour")
        text = console.press("Enter").joined(separator: "\n")
        #expect(text.contains("Tour 1 of 3"))
        // Keys that mean something elsewhere do nothing to the tenant while the tour is up.
        let before = console.app.loaded.sequence
        console.press("R")
        #expect(console.app.loaded.sequence == before)
    }

    @Test("the tour fits a minimum-size terminal and says what to do on a tenant without the demo group")
    func smallAndForeignTenant() throws {
        let console = try ConsoleHarness(tenant: SyntheticTenant.make(users: 50, groups: 3, seed: 1), columns: 70, rows: 18)
        console.app.startTour()
        let text = console.text
        #expect(text.contains("Tour 1 of 3"))
        #expect(text.contains("is not in this tenant;"))
        for line in console.screen { #expect(CellWidth.of(line) <= 70) }
    }

    @Test("the record is per admin, in the admin's config folder")
    func recordPerAdmin() throws {
        let home = TemporaryDirectory()
        let alice = ["XDG_CONFIG_HOME": home.path + "/alice"]
        let bob = ["HOME": home.path + "/bob"]
        #expect(!TourRecord.wasShown(environment: alice))
        TourRecord.markShown(environment: alice)
        #expect(TourRecord.wasShown(environment: alice))
        #expect(!TourRecord.wasShown(environment: bob))
        #expect(TourRecord.file(environment: bob) == home.path + "/bob/.config/licensedesk/tour-seen")
    }
}
