import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the state directory: dangling references, seat counts, memberships and paths. Exit 1 if it finds anything.")
    @OptionGroup var state: StateOptions
    @Flag(help: "Fix what it finds (Global Administrator), then check again.") var repair = false
    @Flag(help: "Print the findings as JSON.") var json = false

    func run() throws {
        // A state that does not load: what is there and what is wrong with each file.
        if case .damaged = state.store.condition {
            return try reportDamage()
        }
        var loaded = try state.loadOrSeed()
        var findings = TenantDoctor.examine(loaded.tenant)
        if repair && !findings.isEmpty {
            loaded = try state.commit(.repairConsistency, against: loaded).state
            let before = findings.count
            findings = TenantDoctor.examine(loaded.tenant)
            if !json { print("Repaired \(before - findings.count) of \(before) findings") }
        }
        if json {
            try JSONOutput.print(findings)
        } else if findings.isEmpty {
            print("No problems found in \(state.store.directory)")
        } else {
            for finding in findings {
                print("\(finding.kind.rawValue): \(TextSanitizer.inert(finding.object)) \(TextSanitizer.inert(finding.explanation))")
            }
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}

extension DoctorCommand {
    func reportDamage() throws {
        let rows = state.store.inventory()
        if json {
            try JSONOutput.print(rows.map { ["file": $0.name, "status": $0.status] })
        } else {
            print("\(state.store.directory) is damaged: it holds some of a tenant's files but not all.")
            for row in rows { print("  \(row.isProblem ? "✗" : "·") \(TextSanitizer.inert(row.name)): \(TextSanitizer.inert(row.status))") }
            print("Restore the missing files from a backup (or from a replaced-… folder), or run `licensedesk init --force`,")
            print("which moves everything here aside into a dated folder, whole, and starts a new tenant.")
            if repair { print("--repair can't rebuild missing snapshot files; nothing was changed.") }
        }
        throw ExitCode(1)
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Who changed what, and when, in Entra's audit vocabulary.")
    @OptionGroup var state: StateOptions
    @Option(help: "Only records at or after this ISO 8601 time.") var since: String?
    @Option(help: "Only records made by this OS user.") var user: String?
    @Option(help: "Only records whose target contains this text.") var object: String?
    @Flag(help: "Print the records as JSON.") var json = false

    func run() throws {
        var query = AuditQuery(user: user, object: object)
        if let since {
            guard let date = ISO8601Times.parse(since) else {
                throw ModelError.invalidInput("--since must be an ISO 8601 time such as 2026-01-31T09:00:00Z")
            }
            query.since = date
        }
        let records = try state.store.audit(query)
        if json { return try JSONOutput.print(records) }
        let formatter = ISO8601DateFormatter()
        for record in records {
            // SSH_CONNECTION is whatever the admin's environment said: inert, and labelled as such.
            let via = record.actor.sshClient.map { " from \(TextSanitizer.inert($0)) (client-reported)" } ?? ""
            let detail = record.detail.isEmpty ? "" : ": \(record.detail)"
            print(
                "\(formatter.string(from: record.time))  \(TextSanitizer.inert(record.actor.name))\(via)  \(TextSanitizer.inert(record.activity))  \(TextSanitizer.inert(record.target))\(TextSanitizer.inert(detail))\(record.result == "success" ? "" : "  [\(TextSanitizer.inert(record.result))]")"
            )
        }
    }
}

struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Fold the journal into the snapshot files. Admins go on saving meanwhile: the lock is held only to switch files.")
    @OptionGroup var state: StateOptions
    @Flag(
        help: ArgumentHelp(
            "Run as the helper a save starts when the journal is long: lower priority, no output, a failure kept in compaction.failed."
        ))
    var background = false
    @Option(help: ArgumentHelp("With --background: append what each compaction did to this file, a JSON line each (for bench).", visibility: .hidden))
    var report: String?
    @Flag(
        help: ArgumentHelp(
            "Write users.json and groups.json whole, folding in the deltas beside them (a compaction otherwise writes only what changed)."
        ))
    var whole = false

    func run() throws {
        let store = state.store
        if background { return runInBackground(store) }
        switch try store.compact(whole: whole) {
        case .compacted(let report):
            CompactionFailure.clear(in: store)
            print("Compacted \(TextSanitizer.inert(store.directory)): \(report.summary)")
        case .busy: print("A compaction of \(TextSanitizer.inert(store.directory)) is already running; it folds in what is there")
        case .nothingToDo: print("Nothing to compact: the snapshot holds every change")
        }
    }

    /// The detached helper: gives the admins' commands the processor first, and keeps why it
    /// failed where `status` and the next save look.
    private func runInBackground(_ store: StateStore) {
        BackgroundPriority.lower(to: 10)
        do {
            if case .compacted(let done) = try Compactor(store: store).run() {
                CompactionFailure.clear(in: store)
                if let report { appendReport(done, to: report) }
            }
        } catch {
            CompactionFailure(time: Date(), reason: "\(error)").write(in: store)
        }
    }
}

/// One JSON line per compaction, for `bench` (`SaveBench.CompactionRun`).
private func appendReport(_ report: Compactor.Report, to path: String) {
    let run = SaveBench.CompactionRun(
        sequence: report.sequence, entries: report.entries, bytesWritten: report.bytesWritten, stagingSeconds: report.stagingSeconds,
        switchSeconds: report.switchSeconds, lockWaitSeconds: report.lockWaitSeconds, deltaRecords: report.deltaRecords)
    guard var line = try? JSONEncoder().encode(run), let handle = FileHandle(forWritingAtPath: path) ?? create(path) else { return }
    line.append(0x0A)
    handle.seekToEndOfFile()
    handle.write(line)
    try? handle.close()
}

private func create(_ path: String) -> FileHandle? {
    FileManager.default.createFile(atPath: path, contents: nil)
    return FileHandle(forWritingAtPath: path)
}

extension Compactor.Report {
    /// "500 changes folded in, 43.1 MB written; the lock held 4.2 ms"
    var summary: String {
        let megabytes = String(format: "%.1f", Double(bytesWritten) / 1e6)
        let held = String(format: "%.1f", switchSeconds * 1_000)
        let form = deltaRecords.map { "as a delta of \($0) record\($0 == 1 ? "" : "s")" } ?? "as a whole snapshot"
        return "\(entries) change\(entries == 1 ? "" : "s") folded in \(form), \(megabytes) MB written; the lock held \(held) ms"
    }
}
