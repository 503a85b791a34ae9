import Console
import Foundation
import TestSupport
import Testing

@Suite("Reports and explain in the console")
struct ConsoleReportTests {
    @Test(":report seats shows the same lines as `licensedesk report seats`; Esc goes back")
    func reportOverlay() throws {
        let console = try ConsoleHarness()
        console.press(":")
        console.type("report seats")
        let text = console.press("Enter").joined(separator: "\n")
        #expect(text.contains("Seats per SKU by path"))
        #expect(text.contains("ENTERPRISEPACK  34 of 36 seats used"))
        #expect(text.contains("group E3 with Selected Services"))
        #expect(!console.press("Esc").joined(separator: "\n").contains("Seats per SKU by path"))
        console.press(":")
        console.type("report nonsense")
        #expect(console.press("Enter").joined(separator: "\n").contains("no report called nonsense; try seats, errors, redundant-direct, new-plans, forecast"))
    }

    @Test(":explain <upn> <plan> shows the paths and the rule clause")
    func explainOverlay() throws {
        let console = try ConsoleHarness()
        console.press(":")
        console.type("explain megan.bowen@contoso.com SWAY")
        let text = console.press("Enter").joined(separator: "\n")
        #expect(text.contains("[x] Sway (SWAY) in ENTERPRISEPACK"))
        #expect(text.contains("from direct: Active, applied"))
        #expect(text.contains("true  user.extensionAttribute10 -eq \"E3 with Selected Services\""))
        console.press("Esc")
        console.press(":")
        console.type("explain nobody@contoso.com")
        #expect(console.press("Enter").joined(separator: "\n").contains("Error: "))
    }
}
