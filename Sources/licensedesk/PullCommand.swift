import ArgumentParser
import Dispatch
import Foundation
import GraphClient
import Interchange
import LicenseModel
import LicenseStore
import TerminalKit

/// `licensedesk pull`: a live tenant read over Graph into one import (a dry run by default).
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Read a live tenant over Microsoft Graph into the state (says what it would import; --apply saves).",
        discussion: """
            Reads the organization, subscribed SKUs, every user (every property rules and \
            licences use, by $select), every group and its members, with paging, retries on \
            429/503/504 honouring Retry-After, and a progress line. Each page is kept as it \
            arrives in your own cache, so an interrupted pull goes on where it stopped when run \
            again. Then it is one `import graph`: exit 2 if records are refused.
            """)

    @OptionGroup var state: StateOptions
    @OptionGroup var options: ImportOptions

    @Option(help: ArgumentHelp("The Graph endpoint (a national cloud, or licensedesk serve).", valueName: "url"))
    var graphURL = "https://graph.microsoft.com/v1.0"

    @OptionGroup var auth: GraphAuthOptions

    @Option(help: ArgumentHelp("Where pages are kept until imported (default: your cache, one folder per tenant and state).", valueName: "dir"))
    var work: String?

    func validate() throws {
        if let problem = GraphEndpointAddress.problem(graphURL) { throw ValidationError(problem) }
    }

    func run() throws {
        let loaded = try state.loadOrSeed()
        let connection = GraphConnection(
            base: graphURL,
            tokens: try auth.provider(
                graphURL: graphURL, permissions: ["User.Read.All", "GroupMember.Read.All", "Organization.Read.All"],
                scopes: ["User.Read.All", "GroupMember.Read.All", "Organization.Read.All"]))
        // The HTTP client is shut down on every way out (it may not be let go running).
        defer { BlockingTask.run { await connection.shutdown() } }
        let (pull, importFolder, seconds) = try LivePull.run(connection: connection, work: work, state: state)
        if !pull.leftOut.isEmpty {
            let kinds = pull.leftOut.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "#microsoft.graph.", with: ""))" }
            print("note: members that are not users were left out (\(TextSanitizer.inert(kinds.joined(separator: ", ")))): LicenseDesk's groups hold users")
        }
        print("Pulled \(pull.objects) objects in \(String(format: "%.1f", seconds)) s (\(Int(Double(pull.objects) / max(seconds, 0.001))) objects/s)")
        let imported = GraphImport.read([importFolder.path], against: loaded.tenant, skipBad: options.skipBad, asGraphSent: true)
        // Another tenant's objects are never merged into a state that holds one already.
        let tenant = loaded.tenant
        if let pulled = imported.payload.organization, pulled.id.lowercased() != tenant.organization.id.lowercased(),
            !tenant.users.isEmpty || !tenant.groups.isEmpty
        {
            FileHandle.standardError.write(
                Data(
                    "error: the state holds tenant \(TextSanitizer.inert(tenant.organization.displayName)) (\(tenant.organization.id)); \(graphURL) serves \(TextSanitizer.inert(pulled.displayName)) (\(pulled.id)). Pull into its own state: licensedesk init --empty --state DIR\n"
                        .utf8))
            pull.remove()
            throw ExitCode(2)
        }
        // What the state has that the tenant no longer does: kept (a pull adds and updates), and said.
        let pulledUsers = Set(imported.payload.users.map(\.id))
        let gone = tenant.users.filter { !pulledUsers.contains($0.id) }
        if !gone.isEmpty, imported.problems.isEmpty {
            print(
                "note: \(gone.count) user(s) of the state are not in the tenant any more and are kept, e.g. \(TextSanitizer.inert(gone[0].userPrincipalName)); remove them with licensedesk users remove"
            )
        }
        try ImportRun.finishGraph(imported, state: state, loaded: loaded, options: options)
        // Imported (or shown): the pages have done their work.
        pull.remove()
    }
}

/// Reading a live tenant into the pull's work folder: shared by `pull` and `reconcile`.
enum LivePull {
    /// Reads every page (resuming what an earlier run kept); returns the pull, the folder to
    /// import and the seconds it took. Says why and exits when it can't.
    static func run(connection: GraphConnection, work: String?, state: StateOptions) throws -> (TenantPull, URL, Double) {
        let folder = work.map { URL(fileURLWithPath: $0) } ?? PullWorkspace.standard(graphURL: connection.base, stateDirectory: state.store.directory)
        let pull: TenantPull
        do throws(GraphClientError) {
            pull = try TenantPull(connection: connection, workspace: folder, protecting: [state.store.directory])
        } catch {
            FileHandle.standardError.write(Data("error: --work \(TextSanitizer.inert(error.description))\n".utf8))
            throw ExitCode(2)
        }
        let line = ProgressLine()
        if pull.isResuming { FileHandle.standardError.write(Data("Resuming the pull kept in \(folder.path)\n".utf8)) }
        pull.report = { line.show($0) }
        let outcome = BlockingTask.run { () async -> Result<URL, GraphClientError> in
            do throws(GraphClientError) { return .success(try await pull.run()) } catch { return .failure(error) }
        }
        line.finish()
        let importFolder: URL
        switch outcome {
        case .success(let done): importFolder = done
        case .failure(let error):
            FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(error.description))\n".utf8))
            FileHandle.standardError.write(Data("What was read is kept in \(folder.path): run the same pull again to go on from there.\n".utf8))
            throw ExitCode(error.exitCode)
        }
        return (pull, importFolder, line.elapsed)
    }
}

/// The progress of a pull on one terminal line (standard error, only when it is a terminal).
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    private let live = isatty(2) == 1
    private var shown = false

    var elapsed: Double { Date().timeIntervalSince(started) }

    func show(_ report: TenantPull.PullReport) {
        guard live else {
            // Not a terminal (a scheduled pull's log): only the retries, a line each.
            if let note = report.note { FileHandle.standardError.write(Data("retrying: \(note)\n".utf8)) }
            return
        }
        lock.withLock {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.text(report)).utf8))
            shown = true
        }
    }

    func finish() {
        lock.withLock { if shown { FileHandle.standardError.write(Data("\n".utf8)) } }
    }

    /// "users · 12,000 of 100,200 objects · 2,400/s · about 37 s left"
    static func text(_ report: TenantPull.PullReport) -> String {
        let rate = Double(report.objects) / max(report.elapsed, 0.001)
        var parts = [report.phase, "\(report.objects)\(report.expected.map { " of \($0)" } ?? "") objects", "\(Int(rate))/s"]
        if let expected = report.expected, expected > report.objects, rate > 0 {
            parts.append("about \(Int((Double(expected - report.objects) / rate).rounded(.up))) s left")
        }
        if let note = report.note { parts.append(note) }
        return parts.joined(separator: " · ")
    }
}

/// Runs async work from a synchronous command and waits for it.
enum BlockingTask {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            box.value = await work()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    final class ResultBox<T>: @unchecked Sendable { var value: T? }
}
