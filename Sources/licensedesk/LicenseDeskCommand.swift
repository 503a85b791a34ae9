import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// `licensedesk`: with no subcommand, the console; otherwise the scripting interface.
struct LicenseDeskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licensedesk",
        abstract: "Design and rehearse Microsoft Entra group-based licensing on one machine.",
        discussion: """
            With no subcommand, opens the console on the state directory (the built-in demo \
            tenant the first time). Exit codes: 0 done; 1 refused by a rule of the model or an \
            invalid rule; 2 bad usage or input.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            InitCommand.self, StatusCommand.self, SkusCommand.self, UsersCommand.self, GroupsCommand.self, ProcessCommand.self,
            RulesCommand.self, DoctorCommand.self, AuditCommand.self, CompactCommand.self, GenerateCommand.self, BenchCommand.self, BenchReaderCommand.self,
            BenchLoadCommand.self,
            PendingCommand.self,
            OnPremCommand.self, SyncCommand.self,
            ThemesCommand.self, ImportCommand.self, ExportCommand.self, ReportCommand.self,
            ServeCommand.self, PullCommand.self, PushCommand.self, ReconcileCommand.self, DebugCommand.self,
        ]
    )

    @OptionGroup var state: StateOptions

    @Option(help: "Console theme (default, light, monochrome, high-contrast).")
    var theme: String?

    func run() throws {
        try ConsoleLauncher.run(state: try state.loadOrSeed(), store: state.store, themeName: theme)
    }
}

/// Build facts for `--version`. `buildCommit` is written by the BuildCommit plugin at build time
/// (`git describe`: the commit, with `-dirty` when the tree had uncommitted changes).
enum BuildInfo {
    static let version = "0.2.0"
    static let commit = buildCommit
    static var versionLine: String { "licensedesk \(version) (commit \(commit))" }
}

@main
enum Main {
    static func main() {
        // Files get explicit modes; this only stops anything else we create leaking to others.
        umask(0o007)
        StateStore.onLockWait { Notice.note($0) }
        do {
            var command = try LicenseDeskCommand.parseAsRoot()
            try command.run()
        } catch {
            exit(withFailure: error)
        }
    }

    /// Maps errors to the documented exit codes: 1 for refusals, 2 for bad usage or input.
    static func exit(withFailure error: any Error) -> Never {
        switch error {
        case let model as ModelError:
            FileHandle.standardError.write(Data("error: \(TextSanitizer.inertLines(model.description))\n".utf8))
            switch model {
            case .refused: Foundation.exit(1)
            case .invalidInput: Foundation.exit(2)
            }
        case let state as StateError:
            FileHandle.standardError.write(Data("error: \(TextSanitizer.inertLines(state.description))\n".utf8))
            switch state {
            case .conflict, .readOnly, .notPermitted: Foundation.exit(1)
            default: Foundation.exit(2)
            }
        case let code as ExitCode:
            Foundation.exit(code.rawValue)
        default:
            let exitCode = LicenseDeskCommand.exitCode(for: error)
            if exitCode == .success {
                LicenseDeskCommand.exit(withError: error)
            }
            // ArgumentParser's own usage errors exit 64; scripts are promised 2.
            let message = LicenseDeskCommand.fullMessage(for: error)
            FileHandle.standardError.write(Data(TextSanitizer.inertLines(message.isEmpty ? "\(error)" : message).utf8 + [0x0A]))
            Foundation.exit(exitCode == .validationFailure ? 2 : (exitCode.rawValue == 64 ? 2 : exitCode.rawValue))
        }
    }
}
