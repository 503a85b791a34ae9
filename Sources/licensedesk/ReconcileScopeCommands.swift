import ArgumentParser
import Console
import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// `licensedesk reconcile scope`: what reconcile manages.
struct ReconcileScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope",
        abstract: "Say which SKUs (and, by a rule, which users) reconcile manages; without options, show it.",
        discussion: """
            A licence of another SKU, or a user the rule does not match, is never added, changed \
            or removed. --usage-location CC=RULE (repeatable): users the rule matches get usage \
            location CC when they have none; others get the organisation's country.
            """)

    @OptionGroup var state: StateOptions
    @Option(name: .customLong("sku"), help: ArgumentHelp("A managed SKU, by part number or id (repeatable; replaces the list).", valueName: "sku"))
    var skus: [String] = []
    @Option(help: ArgumentHelp("Only users this membership rule matches are managed.", valueName: "rule")) var users: String?
    @Option(name: .customLong("usage-location"), help: ArgumentHelp("CC=RULE: a usage location for users the rule matches.", valueName: "cc=rule"))
    var usageLocations: [String] = []
    @Flag(help: "Manage nothing any more (the bookkeeping of what was assigned is kept).") var clear = false
    @Flag(help: "Print the scope as JSON.") var json = false

    func validate() throws {
        if clear && (!skus.isEmpty || users != nil || !usageLocations.isEmpty) { throw ValidationError("--clear takes no other option") }
        if skus.isEmpty && (users != nil || !usageLocations.isEmpty) { throw ValidationError("give the managed SKUs with --sku") }
        for entry in usageLocations where !entry.contains("=") { throw ValidationError("--usage-location \(entry): write it CC=RULE") }
    }

    func run() throws {
        let loaded = try state.loadOrSeed()
        if clear {
            let result = try state.commit(.setManagedScope(nil), against: loaded)
            print(result.effects.events.map(\.detail).joined())
            return
        }
        guard !skus.isEmpty else { return try show(loaded.tenant) }
        let tenant = loaded.tenant
        var ids: [String] = []
        for name in skus { ids.append(try tenant.findSku(name).skuId) }
        if let users { _ = try RuleCompilation.compileOrExit(users) }
        let locations = try usageLocations.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            _ = try RuleCompilation.compileOrExit(parts[1])
            return UsageLocationRule(rule: parts[1], location: parts[0].trimmingCharacters(in: .whitespaces))
        }
        let result = try state.commit(.setManagedScope(ManagedScope(skuIds: ids, userRule: users, usageLocations: locations)), against: loaded)
        print(TextSanitizer.inert(result.effects.events.map(\.detail).joined()))
    }

    private func show(_ tenant: Tenant) throws {
        guard let scope = tenant.automation.scope else {
            if json { return try JSONOutput.print([String: String]()) }
            print("No managed scope: reconcile manages nothing (licensedesk reconcile scope --sku SKU …)")
            return
        }
        if json { return try JSONOutput.print(scope) }
        print("Manages: " + scope.skuIds.map { ReconcileText.name($0, tenant) }.joined(separator: ", "))
        print(TextSanitizer.inert("Users: " + (scope.userRule ?? "every user")))
        for entry in scope.usageLocations { print(TextSanitizer.inert("Usage location \(entry.location) for \(entry.rule)")) }
        print("Otherwise usage location \(tenant.organization.countryLetterCode) (the organisation's)")
        let policies = tenant.policies
        print("Policies: \(policies.isEmpty ? "none (licensedesk groups create NAME --rule RULE --policy)" : "")")
        for policy in policies {
            let licences = policy.assignedLicenses.map { licence in
                let sku = tenant.sku(id: licence.skuId)
                let total = sku?.planIds.count ?? 0
                return "\(sku?.skuPartNumber ?? licence.skuId) (\(total - licence.disabledPlans.count) of \(total) on)"
            }
            print(
                TextSanitizer.inert(
                    "  \(policy.displayName): \(policy.membershipRule ?? "-") → \(licences.isEmpty ? "no licence yet" : licences.joined(separator: ", "))"))
        }
        let owned = tenant.automation.owned.values.reduce(0) { $0 + $1.count }
        print("Assigned by LicenseDesk: \(owned) licence(s) of \(tenant.automation.owned.count) user(s)")
    }
}

/// `licensedesk reconcile history`: the latest runs.
struct ReconcileHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The latest reconcile runs and the calls refused.")
    @OptionGroup var state: StateOptions
    @Flag(help: "Print the runs as JSON.") var json = false

    func run() throws {
        let tenant = try state.loadOrSeed().tenant
        let automation = tenant.automation
        if json { return try JSONOutput.print(automation.runs) }
        guard !automation.runs.isEmpty else { return print("No reconcile run yet.") }
        for run in automation.runs.reversed() { print(TextSanitizer.inert(ReconcileReportText.runLine(run))) }
        for (user, failure) in automation.failures.sorted(by: { $0.key < $1.key }) {
            let upn = tenant.user(id: user)?.userPrincipalName ?? user
            print(TextSanitizer.inert("refused: \(upn): \(failure.code): \(failure.message) (run \(failure.run.prefix(8)); planned again next run)"))
        }
    }

}

/// `licensedesk reconcile units`: a systemd service and timer that run reconcile on a schedule.
struct ReconcileUnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Print (or --write) a systemd service and timer that run `reconcile --apply` on a schedule.",
        discussion: """
            Everything after -- is passed to reconcile (the Graph URL and how to sign in). Install \
            with: licensedesk reconcile units --state DIR --write ~/.config/systemd/user -- ARGS; \
            systemctl --user daemon-reload; systemctl --user enable --now licensedesk-reconcile.timer. \
            Exit 1 (some refused) and 2 (could not run) fail the service, so systemctl and a monitor \
            see them; the summary line is in journalctl --user -u licensedesk-reconcile.
            """)
    @OptionGroup var state: StateOptions
    @Option(help: ArgumentHelp("How often: a systemd time span (30min, 1h).", valueName: "span")) var every = "30min"
    @Option(help: ArgumentHelp("Write licensedesk-reconcile.service and .timer into this folder.", valueName: "dir")) var write: String?
    @Argument(parsing: .postTerminator, help: "Options for reconcile (--graph-url, sign-in).") var reconcileArguments: [String] = []

    func validate() throws {
        guard every.range(of: #"^[0-9]+ ?(s|sec|min|m|h|hr|d)$"#, options: .regularExpression) != nil else {
            throw ValidationError("--every \(every): a span like 30min or 1h")
        }
    }

    var service: String {
        let binary = ThisBinary.path ?? "licensedesk"
        let directory = StateStore.resolveDirectory(flag: state.state)
        let command = ([binary, "reconcile", "run", "--apply", "--state", directory] + reconcileArguments).map(Self.quoted).joined(separator: " ")
        return """
            [Unit]
            Description=LicenseDesk: apply the licence policies of \(directory) to the tenant
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=oneshot
            # A client secret, if you sign in with one (--client-secret-env VAR), goes here, mode 0600:
            # EnvironmentFile=%h/.config/licensedesk/reconcile.env
            ExecStart=\(command)
            Nice=10

            """
    }

    var timer: String {
        """
        [Unit]
        Description=Run LicenseDesk reconcile every \(every)

        [Timer]
        OnBootSec=5min
        OnUnitInactiveSec=\(every)
        RandomizedDelaySec=60
        Persistent=true

        [Install]
        WantedBy=timers.target

        """
    }

    func run() throws {
        guard let write else {
            print("# licensedesk-reconcile.service\n" + service + "\n# licensedesk-reconcile.timer\n" + timer, terminator: "")
            return
        }
        try FileManager.default.createDirectory(atPath: write, withIntermediateDirectories: true)
        for (name, text) in [("licensedesk-reconcile.service", service), ("licensedesk-reconcile.timer", timer)] {
            let path = (write as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            print("Wrote \(path)")
        }
    }

    /// A systemd command-line word: quoted when it holds spaces, quotes, backslashes or `%`.
    static func quoted(_ word: String) -> String {
        let escaped = word.replacingOccurrences(of: "%", with: "%%")
        guard escaped.contains(where: { " \"'\\;$".contains($0) }) || escaped.isEmpty else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
