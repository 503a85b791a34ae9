import ArgumentParser
import Foundation
import GraphClient
import Interchange
import LicenseModel
import LicenseStore
import TerminalKit

/// `licensedesk push`: the changes rehearsed since a baseline, applied to the live tenant.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Apply the changes made since a baseline to a live tenant over Microsoft Graph (shows the plan, asks first).",
        discussion: """
            The plan is `export changes`: the net effect of the changes after --since. It is \
            shown, and sent only when you confirm (--yes for scripts). Requests go as $batch \
            rounds: what must be ordered is (a new group before its members, a user's usage \
            location before their licences); a licence swap is one assignLicense; disabled plans \
            are merged with what the tenant has now. The outcome of each request is kept in \
            the state's pushes/ folder before and after it is sent, so the same push run again \
            resumes without sending anything twice. Then the tenant is read back and every \
            difference from the rehearsal is said. Exit 0: all done as rehearsed; 1: something \
            refused, not sent, or different; 2: bad usage, input or connection.
            """)

    @OptionGroup var state: StateOptions
    @Option(help: ArgumentHelp("Journal position or ISO 8601 time: the changes after it are pushed.", valueName: "position|time"))
    var since: String
    @Flag(help: "Send without asking (for scripts).") var yes = false
    @Option(help: ArgumentHelp("The Graph endpoint (a national cloud, or licensedesk serve).", valueName: "url"))
    var graphURL = "https://graph.microsoft.com/v1.0"
    @OptionGroup var auth: GraphAuthOptions
    @Option(help: ArgumentHelp("Seconds to wait for the tenant to process group licences before reading back.", valueName: "seconds"))
    var settle: Double = 60

    func validate() throws {
        if let problem = GraphEndpointAddress.problem(graphURL) { throw ValidationError(problem) }
        guard settle >= 0, settle <= 3600 else { throw ValidationError("--settle is 0 to 3600 seconds") }
    }

    func run() throws {
        let loaded = try state.loadOrSeed()
        let store = state.store
        let plan = ChangePlan(entries: try ChangeRange.entries(since: since, in: store, current: loaded.sequence, verb: "pushing"), tenant: loaded.tenant)
        for note in plan.notExported { Notice.note("not pushed: \(note)") }
        guard !plan.operations.isEmpty else {
            print("Nothing to push: no change after \(TextSanitizer.inert(since)) has a Graph request.")
            return
        }
        let connection = GraphConnection(
            base: graphURL,
            tokens: try auth.provider(
                graphURL: graphURL,
                permissions: [
                    "LicenseAssignment.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All", "Organization.Read.All",
                ],
                scopes: ["LicenseAssignment.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All", "Organization.Read.All"]))
        defer { BlockingTask.run { await connection.shutdown() } }

        // Which tenant answers there: never another one than the state's.
        let organization: GraphConnection.Organization
        do {
            organization = try Self.await { () async throws(GraphClientError) in try await connection.organization() }
        } catch let error as GraphClientError {
            Self.fail(error.description)
            throw ExitCode(error.exitCode)
        }
        let tenant = loaded.tenant
        guard organization.id.lowercased() == tenant.organization.id.lowercased() else {
            Self.fail(
                "\(graphURL) serves tenant \(TextSanitizer.inert(organization.name)) (\(organization.id)); this state is \(TextSanitizer.inert(tenant.organization.displayName)) (\(tenant.organization.id)). Push from the state pulled from that tenant."
            )
            throw ExitCode(2)
        }

        let name = Self.recordName(tenantID: organization.id, plan: plan)
        // One push to a tenant at a time: two with overlapping ranges would both send.
        guard let lock = try store.lockPush(named: Self.recordPrefix(organization.id) + "tenant") else {
            Self.fail("another push to this tenant is running (from this state); wait for it to end")
            throw ExitCode(2)
        }
        defer { withExtendedLifetime(lock) {} }
        let recordPath = store.pushRecordPath(named: name)
        let existing: PushRecord?
        do {
            // The record as last written, and the steps' outcomes appended since.
            let lines = try store.pushStepLines(named: name)
            existing = try store.pushRecord(named: name).map { data throws(GraphClientError) in
                let record = try PushRecord.decode(data, path: recordPath)
                let linesPath = store.pushStepLinesPath(named: name)
                return try lines.map { lines throws(GraphClientError) in try record.applying(lines: lines, path: linesPath) } ?? record
            }
        } catch let error as GraphClientError {
            Self.fail(error.description)
            throw ExitCode(2)
        }
        // Earlier pushes of this tenant: one of a shorter range from the same change grew into
        // this one (its done steps carry over); another that overlaps is said.
        let (grown, overlapping) = Self.earlierPushes(store: store, tenantID: organization.id, plan: plan, except: name)
        for other in grown {
            Notice.note(
                "changes \(other.first)–\(other.last) were pushed before: what that push did is not sent again (push --since \(other.last) sends only what came after)"
            )
        }
        for other in overlapping {
            Notice.note(
                "changes \(other.first)–\(other.last) were pushed before (\(store.pushRecordPath(named: Self.recordName(tenantID: organization.id, first: other.first, last: other.last)))); what they did is sent again where this plan has it too"
            )
        }
        let push = TenantPush(connection: connection, plan: plan, rehearsal: tenant, tenantID: organization.id, existing: existing, grown: grown) {
            record throws(GraphClientError) in
            do { try store.savePushRecord(try PushRecord.encoder().encode(record), named: name) } catch {
                throw .record(path: recordPath, reason: "could not be saved (\(error)); nothing more is sent until it can be")
            }
        } note: { steps throws(GraphClientError) in
            do { try store.appendPushStepLines(steps.reduce(into: Data()) { $0 += PushRecord.line($1) }, named: name) } catch {
                throw .record(path: recordPath, reason: "could not be added to (\(error)); nothing more is sent until it can be")
            }
        }
        showPlan(push, organization: organization, recordPath: recordPath)
        let open = push.record.steps.filter { $0.state == .planned || $0.state == .sending }.count
        if open > 0 && !yes {
            guard isatty(0) == 1 else {
                Self.fail("push changes a live tenant: run it at a terminal to confirm, or pass --yes")
                throw ExitCode(2)
            }
            FileHandle.standardOutput.write(Data("Send \(open) request(s) to \(TextSanitizer.inert(organization.name))? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased().trimmingCharacters(in: .whitespaces)) else {
                print("Nothing sent.")
                return
            }
        }
        push.say = { line in FileHandle.standardError.write(Data("\(TextSanitizer.inert(line))\n".utf8)) }
        do {
            try Self.await { () async throws(GraphClientError) in try await push.run() }
        } catch let error as GraphClientError {
            Self.fail(error.description)
            FileHandle.standardError.write(Data("What was sent is kept in \(recordPath): run the same push again to go on from there.\n".utf8))
            throw ExitCode(error.exitCode)
        }
        let exit = try report(push, recordPath: recordPath)
        if exit != 0 { throw ExitCode(exit) }
    }

    private func showPlan(_ push: TenantPush, organization: GraphConnection.Organization, recordPath: String) {
        print("Push to \(TextSanitizer.inert(organization.name)) (\(organization.id)) at \(TextSanitizer.inert(graphURL)):")
        for step in push.record.steps {
            let mark =
                switch step.state {
                case .done: "done   "
                case .refused: "refused"
                case .sending: "resend?"
                case .planned, .skipped: step.code == nil ? "       " : "again  "
                }
            print("  \(mark) \(String(format: "%3d", step.number)). \(TextSanitizer.inert(step.summary))")
        }
        if push.isResuming { print("Resuming the push kept in \(recordPath): what is done is not sent again.") }
    }

    /// Prints what happened and what the tenant shows; returns the exit code.
    private func report(_ push: TenantPush, recordPath: String) throws -> Int32 {
        let steps = push.record.steps
        for step in steps where step.state == .refused || step.state == .skipped {
            print(
                "\(step.state == .refused ? "refused" : "not sent") \(step.number). \(TextSanitizer.inert(step.summary)): \(TextSanitizer.inert(step.code.map { "\($0): " } ?? ""))\(TextSanitizer.inert(step.message ?? ""))"
            )
        }
        for note in push.notes { print("note: \(TextSanitizer.inert(note))") }
        let differences: [String]
        do {
            differences = try Self.await { () async throws(GraphClientError) in try await push.readBack(settle: settle) }
        } catch let error as GraphClientError {
            Self.fail("the push is done, but reading the tenant back failed: \(error.description)")
            return 2
        }
        for difference in differences { print("differs: \(TextSanitizer.inert(difference))") }
        let done = steps.filter { $0.state == .done }.count
        let refused = steps.filter { $0.state == .refused }.count
        let skipped = steps.filter { $0.state == .skipped }.count
        print(
            "Pushed \(done) of \(steps.count) request(s); \(refused) refused, \(skipped) not sent; \(differences.count) difference(s) from the rehearsal. Record: \(recordPath)"
        )
        return refused + skipped + differences.count == 0 ? 0 : 1
    }

    /// One record per tenant and journal range, whatever URL reaches the tenant: the same push
    /// run again finds it.
    static func recordName(tenantID: String, plan: ChangePlan) -> String {
        recordName(tenantID: tenantID, first: plan.first ?? 0, last: plan.last ?? 0)
    }

    static func recordName(tenantID: String, first: Int, last: Int) -> String { "\(recordPrefix(tenantID))\(first)-\(last)" }

    static func recordPrefix(_ tenantID: String) -> String {
        "push-\(FNVHash.hex(tenantID.lowercased()))-"
    }

    /// The other records of this tenant: those of a shorter range from the same first change,
    /// and those that overlap this range otherwise. Unreadable ones are left out (said when
    /// they are this push's own).
    static func earlierPushes(store: StateStore, tenantID: String, plan: ChangePlan, except name: String) -> (grown: [PushRecord], overlapping: [PushRecord]) {
        let (first, last) = (plan.first ?? 0, plan.last ?? 0)
        var grown: [PushRecord] = [], overlapping: [PushRecord] = []
        for other in store.pushRecordNames() where other != name && other.hasPrefix(recordPrefix(tenantID)) {
            guard let data = try? store.pushRecord(named: other), let record = try? PushRecord.decode(data, path: other),
                record.tenantID.lowercased() == tenantID.lowercased(), record.first <= last, record.last >= first
            else { continue }
            if record.first == first && record.last < last { grown.append(record) } else { overlapping.append(record) }
        }
        return (grown, overlapping)
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(message))\n".utf8))
    }

    /// Runs async work that throws a GraphClientError, from this synchronous command.
    static func await<T: Sendable>(_ work: @escaping @Sendable () async throws(GraphClientError) -> T) throws -> T {
        let result = BlockingTask.run { () async -> Result<T, GraphClientError> in
            do throws(GraphClientError) { return .success(try await work()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
