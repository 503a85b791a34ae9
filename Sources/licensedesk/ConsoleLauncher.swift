import Console
import CursesTerminal
import Foundation
import LicenseModel
import LicenseStore

/// Opens the console on the real terminal, and restores the terminal on the way out.
enum ConsoleLauncher {
    static func run(state: LoadedState, store: StateStore, themeName: String?) throws {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw ModelError.invalidInput("the console needs a terminal; use a subcommand (licensedesk --help) in scripts")
        }
        // The theme this admin chose last time (`:theme`), unless the command line names one.
        let memory = ConsoleMemory.forCurrentAdmin()
        let (theme, warning) = ThemeLoader.resolve(flag: themeName, remembered: memory.theme)
        let identity = ActorIdentity.current()
        let roles = try StateStore.roles(for: identity, in: store.directory)
        // Standard error would write across the curses screen: the console shows its own
        // progress while a change waits for another admin's lock.
        StateStore.onLockWait { _ in }
        let terminal = CursesTerminal(theme: theme)
        let app = ConsoleApp(
            loaded: state, store: store, actor: identity.name, roles: roles, theme: theme,
            themeSearchPath: ThemeLoader.searchPath(), unicode: terminal.supportsUnicode, memory: memory)
        if let warning { app.state.status = StatusMessage(level: .warn, text: warning) }
        if !terminal.supportsUnicode && warning == nil {
            app.state.status = StatusMessage(level: .info, text: "the locale is not UTF-8: drawing with ASCII")
        }
        // Once per admin: the record lives in the admin's own config folder.
        if !TourRecord.wasShown() {
            app.startTour()
            TourRecord.markShown()
        }
        ConsoleLoop.run(app, on: terminal)
    }
}
