import Console
import CursesTerminal
import Foundation
import LicenseModel
import LicenseStore

/// Opens the console on the real terminal, and restores the terminal on the way out.
enum ConsoleLauncher {
    static func run(tenant: Tenant, store: StateStore) throws {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw ModelError.invalidInput("the console needs a terminal; use a subcommand (licensedesk --help) in scripts")
        }
        let colors = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        let terminal = CursesTerminal(colors: colors)
        let app = ConsoleApp(tenant: tenant, stateDirectory: store.directory, unicode: terminal.supportsUnicode)
        ConsoleLoop.run(app, on: terminal)
    }
}
