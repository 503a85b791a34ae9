import Foundation
import LicenseModel

/// Licence automation in words (`:report reconcile`, `licensedesk report reconcile`,
/// `licensedesk reconcile history`): the latest runs, what the tenant refused, and the plan the
/// next run would make from the tenant as last pulled.
public enum ReconcileReportText {
    public static func lines(_ tenant: Tenant, now: Date = Date()) -> [String] {
        let automation = tenant.automation
        guard let scope = automation.scope else {
            return ["No managed scope: reconcile manages nothing (licensedesk reconcile scope --sku SKU …)"]
        }
        let skus = scope.skuIds.map { id in tenant.subscribedSkus.first { $0.skuId.lowercased() == id }?.skuPartNumber ?? id }
        var lines = ["Manages \(skus.joined(separator: ", ")) for \(scope.userRule.map { "users matching \($0)" } ?? "every user")"]
        lines.append("Policies: " + (tenant.policies.isEmpty ? "none" : tenant.policies.map(\.displayName).joined(separator: ", ")))
        lines.append("")
        lines.append("Latest runs:")
        if automation.runs.isEmpty { lines.append("  none yet") }
        for run in automation.runs.reversed().prefix(10) { lines.append("  " + runLine(run)) }
        for (user, failure) in automation.failures.sorted(by: { $0.key < $1.key }) {
            let upn = tenant.user(id: user)?.userPrincipalName ?? user
            lines.append("  refused: \(upn): \(failure.code): \(failure.message) (planned again next run)")
        }
        lines.append("")
        lines.append("Next plan, from the tenant as last pulled (a run pulls again first):")
        var options = ReconcileOptions()
        options.now = now
        do {
            let plan = try ReconcilePlanner.plan(tenant, options: options, runID: "next")
            let run = plan.run
            lines.append(
                "  \(run.calls.count) call(s): \(run.added) added, \(run.changed) changed, \(run.removed) removed; \(run.countViolations.count) CountViolation, \(run.held.count) waiting for sync, \(run.notAdopted.count) not adopted"
            )
            if let reason = plan.breaker(options) { lines.append("  the circuit breaker would refuse it: \(reason)") }
            for call in run.calls.prefix(200) { lines.append("  " + callLine(call, tenant: tenant)) }
            if run.calls.count > 200 { lines.append("  … and \(run.calls.count - 200) more") }
        } catch {
            lines.append("  cannot plan: \(error.description)")
        }
        return lines
    }

    /// "adele@contoso.com: add ENTERPRISEPACK (16 of 16 on); remove STANDARDPACK"
    public static func callLine(_ call: ReconcileCall, tenant: Tenant) -> String {
        func sku(_ id: String) -> SubscribedSku? { tenant.subscribedSkus.first { $0.skuId.lowercased() == id.lowercased() } }
        var parts: [String] = []
        if let location = call.usageLocation { parts.append("usage location \(location)") }
        for licence in call.add {
            let total = sku(licence.skuId)?.planIds.count ?? 0
            let verb = call.newSkus.contains { $0.lowercased() == licence.skuId.lowercased() } ? "add" : "set plans of"
            parts.append(
                "\(verb) \(sku(licence.skuId)?.skuPartNumber ?? licence.skuId)" + (total == 0 ? "" : " (\(total - licence.disabledPlans.count) of \(total) on)")
            )
        }
        if !call.remove.isEmpty { parts.append("remove " + call.remove.map { sku($0)?.skuPartNumber ?? $0 }.joined(separator: ", ")) }
        let phase = call.phase > 0 ? "  [after phase \(call.phase - 1): takes a seat it frees]" : ""
        return "\(call.upn): \(parts.joined(separator: "; "))\(phase)"
    }

    /// "2026-12-01T21:50:00Z  1a2b3c4d  applied  by alice  12 call(s): 8 added, 3 changed, 1 removed; 12 done, 0 refused or not sent"
    public static func runLine(_ run: ReconcileRunSummary) -> String {
        let time = ISO8601DateFormatter().string(from: run.started)
        var text =
            "\(time)  \(run.id.prefix(8))  \(run.status.rawValue)  by \(run.actor)  \(run.calls) call(s): \(run.added) added, \(run.changed) changed, \(run.removed) removed"
        if run.status != .refused && run.status != .sending { text += "; \(run.done) done, \(run.refusedCalls) refused or not sent" }
        if run.countViolations > 0 { text += "; \(run.countViolations) CountViolation" }
        if run.held > 0 { text += "; \(run.held) waiting for sync" }
        if let reason = run.reason { text += "; \(reason)" }
        return text
    }
}
