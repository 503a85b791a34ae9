import LicenseModel
import LicenseStore
import TerminalKit

/// What handling an event asks the loop to do (htop's reaction, DESIGN.md).
public enum Reaction: Equatable, Sendable {
    case none
    case redraw
    case quit
}

/// The console's state and its synchronous, deterministic event handling: screen tests drive
/// it directly with no sleeps. This first version shows the tenant summary; the panes of the
/// console issue grow from here.
public final class ConsoleApp {
    public private(set) var tenant: Tenant
    public let stateDirectory: String
    private var unicode: Bool

    public init(tenant: Tenant, stateDirectory: String, unicode: Bool = true) {
        self.tenant = tenant
        self.stateDirectory = stateDirectory
        self.unicode = unicode
    }

    public func handle(_ event: TerminalEvent) -> Reaction {
        switch event {
        case .key(.character("q")), .key(.control("c")): .quit
        case .key(.control("l")), .resize: .redraw
        default: .none
        }
    }

    /// Draws the whole screen for a size.
    public func render(size: TerminalSize) -> Frame {
        SummaryScreen(tenant: tenant, stateDirectory: stateDirectory, unicode: unicode).render(size: size)
    }
}

/// Runs the event loop on a terminal until the app says quit.
public enum ConsoleLoop {
    public static func run(_ app: ConsoleApp, on terminal: any Terminal) {
        terminal.present(app.render(size: terminal.size))
        while true {
            guard let event = terminal.nextEvent(timeoutMilliseconds: 250) else { continue }
            switch app.handle(event) {
            case .quit: return
            case .redraw: terminal.present(app.render(size: terminal.size))
            case .none: break
            }
        }
    }
}
