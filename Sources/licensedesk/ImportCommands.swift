import ArgumentParser
import Foundation
import Interchange
import LicenseModel
import LicenseStore
import TerminalKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a real tenant: Graph JSON, the admin center's users CSV, or an on-premises LDIF/CSV export.",
        discussion: """
            Each import first says what it would do and saves nothing; --apply saves. Every \
            rejected record is reported with its file, line or record number and why; if any is, \
            nothing is saved unless --skip-bad leaves those records out. Exit 2 when records were \
            rejected (without --skip-bad).
            """,
        subcommands: [ImportGraphCommand.self, ImportUsersCSVCommand.self, ImportOnPremCommand.self])
}

/// The flags every import takes.
struct ImportOptions: ParsableArguments {
    @Flag(help: "Save the import (without it, only say what would be imported).") var apply = false
    @Flag(help: "Leave bad records out and import the rest.") var skipBad = false
}

/// Reports problems and notes, then saves the change when asked and allowed.
enum ImportRun {
    static func finish<Payload>(
        _ outcome: ImportOutcome<Payload>, summary: String, change: TenantChange, state: StateOptions, loaded: LoadedState,
        options: ImportOptions, details: [String] = []
    ) throws {
        for problem in outcome.problems { FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(problem.description))\n".utf8)) }
        for note in outcome.notes { print("note: \(TextSanitizer.inert(note))") }
        if !outcome.problems.isEmpty && !options.skipBad {
            FileHandle.standardError.write(
                Data("nothing saved: \(outcome.problems.count) problem(s); fix them, or use --skip-bad to leave those records out\n".utf8))
            throw ExitCode(2)
        }
        let skipped = outcome.problems.isEmpty ? "" : " (\(outcome.problems.count) bad record(s) left out)"
        for line in details { print(TextSanitizer.inert(line)) }
        guard options.apply else {
            print("Would import \(summary)\(skipped)")
            print("Dry run: nothing saved; run again with --apply to save")
            return
        }
        var result = try state.commit(change, against: loaded)
        // One journal entry can hold a whole tenant: fold it into the snapshot at once, from the
        // state in hand (no second load).
        try state.store.compact(&result.state)
        print("Imported \(summary)\(skipped)")
        for note in result.effects.notes { print(TextSanitizer.inert(note)) }
    }
}

struct ImportGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Graph list responses (/users, /groups with members, /subscribedSkus, /organization), one page per file.")
    @OptionGroup var state: StateOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: "Files, or folders of .json files.") var paths: [String]

    func run() throws {
        let loaded = try state.loadOrSeed()
        let outcome = GraphImport.read(paths, against: loaded.tenant, skipBad: options.skipBad)
        try ImportRun.finishGraph(outcome, state: state, loaded: loaded, options: options)
    }
}

extension ImportRun {
    /// A Graph import's end, for `import graph` and `pull` alike: what would change, property
    /// by property, then the import (or the dry run).
    static func finishGraph(_ outcome: ImportOutcome<DirectoryImport>, state: StateOptions, loaded: LoadedState, options: ImportOptions) throws {
        let batch = outcome.payload
        let existing = Set(loaded.tenant.users.map(\.id))
        let replaced = batch.users.filter { existing.contains($0.id) }.count
        let summary = "\(batch.summary) (\(batch.users.count - replaced) new users, \(replaced) replaced)"
        try finish(
            outcome, summary: summary, change: .importDirectory(batch), state: state, loaded: loaded, options: options,
            details: ImportDifferences.between(batch, and: loaded.tenant).lines)
    }
}

struct ImportUsersCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users-csv", abstract: "The Entra admin center's \"Download users\" CSV: attributes of new and existing users.")
    @OptionGroup var state: StateOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: "The CSV file.") var file: String

    func run() throws {
        let loaded = try state.loadOrSeed()
        let outcome = UsersCSVImport.read(file, against: loaded.tenant, skipBad: options.skipBad)
        let existing = Set(loaded.tenant.users.map(\.id))
        let updated = outcome.payload.users.filter { existing.contains($0.id) }.count
        let summary = "\(outcome.payload.users.count) users (\(outcome.payload.users.count - updated) new, \(updated) updated)"
        try ImportRun.finish(outcome, summary: summary, change: .importDirectory(outcome.payload), state: state, loaded: loaded, options: options)
    }
}

struct ImportOnPremCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onprem", abstract: "An on-premises AD export, LDIF (ldifde) or CSV (csvde), into the on-premises directory.")
    @OptionGroup var state: StateOptions
    @OptionGroup var options: ImportOptions
    @Argument(help: "The .ldf/.ldif or .csv file.") var file: String

    func run() throws {
        let loaded = try state.loadOrSeed()
        let outcome = OnPremisesImport.read(file, skipBad: options.skipBad)
        let known = Set(loaded.tenant.onPremises.users.map { $0.samAccountName.lowercased() })
        let replaced = outcome.payload.filter { known.contains($0.samAccountName.lowercased()) }.count
        let summary =
            "\(outcome.payload.count) on-premises users (\(outcome.payload.count - replaced) new, \(replaced) replaced); run `licensedesk sync` to carry them to the cloud"
        try ImportRun.finish(outcome, summary: summary, change: .importOnPremises(outcome.payload), state: state, loaded: loaded, options: options)
    }
}
