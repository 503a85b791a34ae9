import Console
import LicenseModel
import TerminalKit
import TestSupport
import Testing

@Suite("Console summary screen")
struct SummaryScreenTests {
    @Test("shows the tenant, seats of each SKU and each group's enabled plans")
    func summary() {
        let app = ConsoleApp(tenant: DemoTenant.make(), stateDirectory: "/tmp/state")
        let screen = app.render(size: TerminalSize(columns: 100, rows: 30)).lines
        #expect(screen[0].contains("Contoso Ltd"))
        #expect(screen[0].contains("Users 44"))
        #expect(screen.contains { $0.contains("ENTERPRISEPACK  34 of 36 seats used") })
        #expect(screen.contains { $0.contains("E3 with Selected Services") && $0.contains("ENTERPRISEPACK 3 of 16 enabled") })
        #expect(screen.contains { $0.contains("E3 All") && $0.contains("16 of 16 enabled") })
        #expect(screen.last?.contains("q quit") == true)
    }

    @Test("a 20×6 terminal shows the too-small screen with the size needed")
    func tooSmall() {
        let app = ConsoleApp(tenant: DemoTenant.make(), stateDirectory: "/tmp/state")
        let screen = app.render(size: TerminalSize(columns: 20, rows: 6)).lines
        #expect(screen[0] == "Terminal too small")
        #expect(screen[1].hasPrefix("need 60×12"))
    }

    @Test("q quits, Ctrl-L and resizes redraw, other keys do nothing")
    func keys() {
        let terminal = FakeTerminal(events: [.key(.character("x")), .key(.control("l")), .resize(TerminalSize(columns: 80, rows: 24)), .key(.character("q"))])
        let app = ConsoleApp(tenant: DemoTenant.make(), stateDirectory: "/tmp/state")
        ConsoleLoop.run(app, on: terminal)
        #expect(terminal.frames.count == 3)
        #expect(terminal.events.isEmpty)
    }
}
