import ArgumentParser
import Foundation
import GraphClient
import Interchange
import LicenseModel
import LicenseStore
import TerminalKit

/// `licensedesk reconcile`: group-based licensing computed here, applied to a live tenant as
/// direct licences.
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Apply the licence policies to a live tenant as direct licences (a dry run unless --apply).",
        discussion: """
            Licence policies are groups made with `groups create --policy`: a membership rule \
            and SKUs with plans off, evaluated here, never created in the tenant. A run pulls \
            the tenant, works out for every managed user the direct licences the policies give \
            (the union of plans across policies, one licence per SKU, as group-based licensing \
            gives them) and sends the difference as assignLicense calls through the same path \
            as push. Exit 0: nothing to do, or all applied; 1: some refused or planned as \
            CountViolation; 2: could not run (no scope, bad input, connection, circuit breaker).
            """,
        subcommands: [ReconcileRunCommand.self, ReconcileScopeCommand.self, ReconcileHistoryCommand.self, ReconcileUnitsCommand.self],
        defaultSubcommand: ReconcileRunCommand.self)
}

struct ReconcileRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Pull, plan and (with --apply) send one reconcile run; the default of `licensedesk reconcile`.")

    @OptionGroup var state: StateOptions
    @Flag(help: "Send the plan (without it, only say what would be sent).") var apply = false
    @Flag(help: "Take direct licences of managed SKUs that were there before management under it (the plan lists them).") var adopt = false
    @Flag(help: "Send even when the circuit breaker would refuse the run.") var force = false
    @Option(help: ArgumentHelp("The circuit breaker: refuse a run that removes more licences than this.", valueName: "n"))
    var maxRemovals = 50
    @Option(help: ArgumentHelp("The circuit breaker: refuse a run that removes more than this share of the managed licences.", valueName: "percent"))
    var maxRemovalPercent = 10.0
    @Option(help: ArgumentHelp("Synced users wait while the tenant's last directory sync is older than this.", valueName: "hours"))
    var maxSyncAge = 3.0
    @Option(help: ArgumentHelp("How many planned calls to list (the rest are counted).", valueName: "n")) var list = 50
    @Option(help: ArgumentHelp("The Graph endpoint (a national cloud, or licensedesk serve).", valueName: "url"))
    var graphURL = "https://graph.microsoft.com/v1.0"
    @OptionGroup var auth: GraphAuthOptions
    @Option(help: ArgumentHelp("Where the pull's pages are kept until imported (default: your cache).", valueName: "dir"))
    var work: String?

    func validate() throws {
        if let problem = GraphEndpointAddress.problem(graphURL) { throw ValidationError(problem) }
        guard maxRemovals >= 0 else { throw ValidationError("--max-removals is 0 or more") }
        guard (0...100).contains(maxRemovalPercent) else { throw ValidationError("--max-removal-percent is 0 to 100") }
        guard maxSyncAge > 0 else { throw ValidationError("--max-sync-age is a number of hours above 0") }
        guard list >= 0 else { throw ValidationError("--list is 0 or more") }
    }

    var options: ReconcileOptions {
        var options = ReconcileOptions()
        options.adopt = adopt
        options.maxRemovals = maxRemovals
        options.maxRemovalPercent = maxRemovalPercent
        options.maxSyncAge = maxSyncAge * 3_600
        return options
    }

    func run() throws {
        let started = Date()
        var loaded = try state.loadOrSeed()
        let store = state.store
        guard loaded.tenant.automation.scope != nil else {
            return try fail("no managed scope: say which SKUs LicenseDesk manages first (licensedesk reconcile scope --sku SKU …)")
        }
        guard !loaded.tenant.policies.isEmpty else {
            return try fail("the state has no licence policy: make one with licensedesk groups create NAME --rule RULE --policy")
        }
        let permissions = ["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "GroupMember.Read.All", "Organization.Read.All"]
        let connection = GraphConnection(
            base: graphURL, tokens: try auth.provider(graphURL: graphURL, permissions: permissions, scopes: permissions))
        defer { BlockingTask.run { await connection.shutdown() } }
        let tenantID = loaded.tenant.organization.id.lowercased()
        // One run per tenant at a time (from this state): two would both claim and send.
        guard let lock = try store.lockPush(named: Self.recordPrefix(tenantID) + "lock") else {
            return try fail("another reconcile of this tenant is running (from this state); wait for it to end")
        }
        defer { withExtendedLifetime(lock) {} }

        // 1. The tenant as it is now.
        let (pull, folder, seconds) = try LivePull.run(connection: connection, work: work, state: state)
        let reading = Date()
        let imported = GraphImport.read([folder.path], against: loaded.tenant, skipBad: false, asGraphSent: true)
        for problem in imported.problems { Notice.note("pulled: \(problem.description)") }
        guard imported.problems.isEmpty else { return try fail("the pulled tenant has records LicenseDesk refuses; nothing planned") }
        if let pulled = imported.payload.organization, pulled.id.lowercased() != tenantID {
            pull.remove()
            return try fail(
                "\(graphURL) serves tenant \(TextSanitizer.inert(pulled.displayName)) (\(pulled.id)); this state is \(TextSanitizer.inert(loaded.tenant.organization.displayName)) (\(tenantID)). Reconcile from the state pulled from that tenant."
            )
        }
        var tenant: Tenant
        if apply {
            var result = try state.commit(.importDirectory(imported.payload), against: loaded)
            try store.compact(&result.state)
            loaded = result.state
            tenant = loaded.tenant
        } else {
            tenant = loaded.tenant
            try tenant.apply(.importDirectory(imported.payload), context: ChangeContext(now: Date(), actor: ActorIdentity.current().name))
        }
        pull.remove()
        print(
            "Pulled \(pull.objects) objects in \(String(format: "%.1f", seconds)) s; read and recorded in \(String(format: "%.1f", Date().timeIntervalSince(reading))) s"
        )

        // 2. The plan.
        var options = self.options
        options.now = Date()
        let planning = Date()
        let plan = try tenant.reconcilePlan(options: options, runID: UUID().uuidString.lowercased())
        let planSeconds = Date().timeIntervalSince(planning)
        ReconcileText.show(plan, tenant: tenant, list: list)
        print("Planned \(plan.run.calls.count) call(s) for \(plan.managedUsers) managed user(s) in \(String(format: "%.2f", planSeconds)) s")
        var run = plan.run
        if let reason = plan.breaker(options), !force {
            Self.error("circuit breaker: \(reason)")
            if apply {
                run.refusedBecause = reason
                try state.commit(.reconcilePlanned(run), against: loaded)
            }
            ReconcileText.summary(run, outcome: nil, exit: 2, seconds: Date().timeIntervalSince(started))
            throw ExitCode(2)
        }
        guard apply else {
            print("Dry run: nothing sent; run again with --apply to send")
            let exit: Int32 = run.countViolations.isEmpty ? 0 : 1
            ReconcileText.summary(run, outcome: nil, exit: exit, seconds: Date().timeIntervalSince(started))
            if exit != 0 { throw ExitCode(exit) }
            return
        }

        // 3. On record, then sent, phase by phase.
        loaded = try state.commit(.reconcilePlanned(run), against: loaded).state
        let sender = ReconcileSender(connection: connection, store: store, tenantID: tenantID, runID: run.id, rehearsal: loaded.tenant)
        let sending = Date()
        let sent = sender.send(run.calls)
        if !run.calls.isEmpty {
            print(
                "Sent \(sent.results.filter { $0.state != .notSent }.count) of \(run.calls.count) call(s) in \(String(format: "%.1f", Date().timeIntervalSince(sending))) s"
            )
        }
        let outcome = ReconcileOutcome(run: run.id, results: sent.results)
        let finished = try state.commit(.reconcileFinished(outcome), against: loaded)
        for note in finished.effects.notes { Notice.note(note) }
        loaded = finished.state
        // What the policies give shows in the state as group paths (queued by the plan).
        if !loaded.tenant.pending.isEmpty { loaded = try state.commit(.processPending, against: loaded).state }
        for result in sent.results where result.state != .done {
            print(
                "\(result.state == .refused ? "refused" : "not sent") \(TextSanitizer.inert(result.call.upn)): \(TextSanitizer.inert([result.code, result.message].compactMap { $0 }.joined(separator: ": ")))"
            )
        }
        if let error = sent.error {
            Self.error("\(error.description); run again to go on (the next run plans from the tenant as it then is)")
            ReconcileText.summary(run, outcome: outcome, exit: 2, seconds: Date().timeIntervalSince(started))
            throw ExitCode(2)
        }
        let failed = outcome.results.contains { $0.state != .done } || !run.countViolations.isEmpty
        ReconcileText.summary(run, outcome: outcome, exit: failed ? 1 : 0, seconds: Date().timeIntervalSince(started))
        if failed { throw ExitCode(1) }
    }

    private func fail(_ message: String) throws {
        Self.error(message)
        throw ExitCode(2)
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(message))\n".utf8))
    }

    static func recordPrefix(_ tenantID: String) -> String { "reconcile-\(FNVHash.hex(tenantID.lowercased()))-" }
}

extension Tenant {
    /// The planner's plan, its model errors as the command's.
    func reconcilePlan(options: ReconcileOptions, runID: String) throws -> ReconcilePlan {
        do { return try ReconcilePlanner.plan(self, options: options, runID: runID) } catch {
            ReconcileRunCommand.error(error.description)
            throw ExitCode(2)
        }
    }
}
