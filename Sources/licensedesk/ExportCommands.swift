import ArgumentParser
import Foundation
import Interchange
import LicenseModel
import LicenseStore
import TerminalKit

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Hand the rehearsal back: the tenant as Graph JSON, the changes as $batch or PowerShell, licences as CSV.",
        subcommands: [ExportGraphCommand.self, ExportChangesCommand.self, ExportLicencesCSVCommand.self])
}

struct ExportGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "The tenant as Graph list responses that `import graph` reads back.")
    @OptionGroup var state: StateOptions
    @Argument(help: "Folder to write users.json, groups.json, subscribedSkus.json and organization.json into.") var directory: String

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        let files = try GraphExport.write(tenant, to: directory)
        print("Wrote \(tenant.users.count) users, \(tenant.groups.count) groups, \(tenant.subscribedSkus.count) SKUs to \(TextSanitizer.inert(directory))")
        for file in files { print("  \(TextSanitizer.inert(file))") }
    }
}

struct ExportChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "The changes since a baseline, as Graph $batch request bodies or a Graph PowerShell script.",
        discussion: """
            The baseline is a journal position (`licensedesk status` shows the current one; changes \
            after it are exported) or an ISO 8601 time. The net effect is exported: a group's \
            licences as they are now, with one assignLicense per group. --format batch prints a \
            JSON array of $batch bodies of at most 20 requests, each depending on the one before; \
            with --output DIR each is written to batch-NNN.json. Seat changes, processing runs and \
            on-premises changes have no Graph request and are listed as not exported.
            """)
    enum Format: String, ExpressibleByArgument, CaseIterable { case batch, powershell }

    @OptionGroup var state: StateOptions
    @Option(help: ArgumentHelp("Journal position or ISO 8601 time.", valueName: "position|time")) var since: String
    @Option(help: "batch or powershell.") var format: Format
    @Option(help: ArgumentHelp("Write to this file (powershell) or folder (batch) instead of standard output.", valueName: "path"))
    var output: String?

    func run() throws {
        let loaded = try state.loadOrSeed()
        let store = state.store
        let plan = ChangePlan(entries: try ChangeRange.entries(since: since, in: store, current: loaded.sequence, verb: "exporting"), tenant: loaded.tenant)
        for note in plan.notExported { Notice.note("not exported: \(note)") }
        switch format {
        case .powershell:
            let script = PowerShellExport.script(plan, source: store.directory, version: BuildInfo.version)
            if let output {
                try Data(script.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print("Wrote \(plan.operations.count) operations to \(TextSanitizer.inert(output))")
            } else {
                FileHandle.standardOutput.write(Data(script.utf8))
            }
        case .batch:
            let batches = BatchExport.batches(plan)
            if let output {
                try BatchFolder(path: output).write(batches, since: since, source: store.directory)
                print("Wrote \(batches.count) batches (\(batches.map(\.requests.count).reduce(0, +)) requests) to \(TextSanitizer.inert(output))")
            } else {
                try JSONOutput.print(batches)
            }
        }
    }
}

struct ExportLicencesCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licences-csv", abstract: "Effective licences and plans per user, one row per user per SKU (- for standard output).")
    @OptionGroup var state: StateOptions
    @Argument(help: "The CSV file to write, or - for standard output.") var file: String

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        let text = LicencesCSV.text(tenant)
        if file == "-" {
            DataOutput.write(text)
        } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            print("Wrote licences of \(tenant.users.count) users to \(TextSanitizer.inert(file))")
        }
    }
}

/// `export changes --format batch --output DIR`: the batch files and a `manifest.json` naming
/// them, in order. Batch files of an earlier export that this one does not write are removed
/// (only names of the form `batch-NNN.json`), so no stale batch is ever run beside new ones.
struct BatchFolder {
    let path: String

    static func isBatchFile(_ name: String) -> Bool {
        guard name.hasPrefix("batch-"), name.hasSuffix(".json") else { return false }
        let number = name.dropFirst(6).dropLast(5)
        return number.count >= 3 && number.allSatisfy(\.isNumber)
    }

    struct Manifest: Encodable {
        var formatVersion = 1
        var generatedBy: String
        var source: String
        var since: String
        var batches: [Entry]
        struct Entry: Encodable {
            var file: String
            var requests: Int
        }
    }

    func write(_ batches: [BatchExport.Batch], since: String, source: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let names = batches.indices.map { String(format: "batch-%03d.json", $0 + 1) }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in existing where Self.isBatchFile(name) && !names.contains(name) {
            try FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(name))
        }
        for (name, batch) in zip(names, batches) {
            let json = TextSanitizer.jsonEscapingInvisible(String(decoding: try StateJSON.encode(batch), as: UTF8.self))
            try Data(json.utf8).write(to: URL(fileURLWithPath: (path as NSString).appendingPathComponent(name)), options: .atomic)
        }
        let manifest = Manifest(
            generatedBy: "licensedesk \(BuildInfo.version)", source: source, since: since,
            batches: zip(names, batches).map { Manifest.Entry(file: $0.0, requests: $0.1.requests.count) })
        try StateJSON.encode(manifest).write(to: URL(fileURLWithPath: (path as NSString).appendingPathComponent("manifest.json")), options: .atomic)
    }
}

/// The journal entries `--since` names (export changes, push).
enum ChangeRange {
    /// `current`: the state's journal position; a baseline past it is a mistake, not "nothing".
    static func entries(since: String, in store: StateStore, current: Int, verb: String) throws -> [JournalEntry] {
        if let position = Int(since) {
            guard position >= 0 else { throw ModelError.invalidInput("--since must be a journal position (0 or more) or an ISO 8601 time") }
            guard position <= current else {
                throw ModelError.invalidInput("--since \(position) is past the end of the journal (position \(current)); `licensedesk status` shows it")
            }
            let entries = try store.changes(after: position)
            if let first = try store.firstRecordedSequence(), first > position + 1 {
                Notice.note("changes \(position + 1) to \(first - 1) are no longer on record; \(verb) from \(first)")
            }
            return entries
        } else if let time = ISO8601Times.parse(since) {
            return try store.changes(after: 0).filter { $0.context.now >= time }
        }
        throw ModelError.invalidInput("--since must be a journal position such as 12 or an ISO 8601 time such as 2026-01-31T09:00:00Z, not \(since)")
    }
}
