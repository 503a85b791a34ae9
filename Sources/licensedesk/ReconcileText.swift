import Console
import Foundation
import LicenseModel
import TerminalKit

/// A reconcile plan and its outcome in words, for the terminal and for logs.
enum ReconcileText {
    static func line(_ call: ReconcileCall, tenant: Tenant) -> String {
        TextSanitizer.inert(ReconcileReportText.callLine(call, tenant: tenant))
    }

    static func name(_ sku: String, _ tenant: Tenant) -> String {
        tenant.subscribedSkus.first { $0.skuId.lowercased() == sku.lowercased() }?.skuPartNumber ?? sku
    }

    static func show(_ plan: ReconcilePlan, tenant: Tenant, list: Int) {
        for note in plan.notes { print("note: \(TextSanitizer.inert(note))") }
        let run = plan.run
        for call in run.calls.prefix(list) { print("  " + line(call, tenant: tenant)) }
        if run.calls.count > list { print("  … and \(run.calls.count - list) more call(s) (--list N shows more)") }
        func holds(_ title: String, _ items: [ReconcileHold]) {
            guard !items.isEmpty else { return }
            print("\(title) (\(items.count)):")
            for hold in items.prefix(list) {
                let sku = hold.skuId.map { " \(name($0, tenant))" } ?? ""
                print(TextSanitizer.inert("  \(hold.upn)\(sku): \(hold.reason)"))
            }
            if items.count > list { print("  … and \(items.count - list) more") }
        }
        holds("Not sent, no seat", run.countViolations)
        holds("Waiting for directory sync", run.held)
        holds("Left alone (not managed until adopted: --adopt)", run.notAdopted)
        holds("Adopted", run.adopted)
        holds("Forgotten (assigned by LicenseDesk, gone from the tenant)", run.forgotten)
        for user in run.calls.map(\.userID) {
            if let failure = tenant.automation.failures[user], let upn = tenant.user(id: user)?.userPrincipalName {
                print(TextSanitizer.inert("again: \(upn) was refused in run \(failure.run.prefix(8)): \(failure.code): \(failure.message)"))
            }
        }
    }

    /// The one line a log keeps of a run.
    static func summary(_ run: ReconcileRun, outcome: ReconcileOutcome?, exit: Int32, seconds: Double) {
        var parts = [
            "\(run.calls.count) call(s) planned (\(run.added) added, \(run.changed) changed, \(run.removed) removed)"
        ]
        if let outcome {
            let done = outcome.results.filter { $0.state == .done }.count
            let refused = outcome.results.filter { $0.state == .refused }.count
            let notSent = outcome.results.filter { $0.state == .notSent }.count
            parts.append("\(done) done, \(refused) refused, \(notSent) not sent")
        } else if run.refusedBecause != nil {
            parts.append("refused by the circuit breaker")
        } else {
            parts.append("dry run")
        }
        parts.append("\(run.countViolations.count) CountViolation")
        parts.append("\(run.held.count) waiting for sync")
        parts.append("\(run.notAdopted.count) not adopted")
        print("reconcile \(run.id.prefix(8)): \(parts.joined(separator: "; ")); \(String(format: "%.1f", seconds)) s; exit \(exit)")
    }
}
