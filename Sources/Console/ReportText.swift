import Foundation
import LicenseModel
import TerminalKit

/// The reports and the provenance of a user as lines of text: the command line prints them,
/// the console shows them in an overlay, so both say the same thing in the same words.
public enum ReportText {
    public enum Report: String, CaseIterable, Sendable {
        case seats, errors, redundantDirect = "redundant-direct", newPlans = "new-plans", forecast, reconcile

        public var title: String {
            switch self {
            case .seats: "Seats per SKU by path"
            case .errors: "Users with licence errors, by type, with the fix"
            case .redundantDirect: "Direct assignments that groups already cover"
            case .newPlans: "Groups where a newly added service plan would switch on"
            case .forecast: "Seat forecast for the pending work"
            case .reconcile: "Licence automation: the latest runs and the next plan"
            }
        }
    }

    public static func lines(_ report: Report, tenant: Tenant) -> [String] {
        switch report {
        case .reconcile:
            return ReconcileReportText.lines(tenant)
        case .seats:
            return LicenceReports.seats(tenant).flatMap { sku in
                ["\(sku.skuPartNumber)  \(sku.consumed) of \(sku.enabled) seats used"]
                    + sku.rows.map { "  \(pad($0.path, 40)) \(pad(String($0.applied), 6)) applied\($0.errors > 0 ? "  \($0.errors) in error" : "")" }
            }
        case .errors:
            let rows = LicenceReports.errors(tenant)
            if rows.isEmpty { return ["No licence errors"] }
            return rows.flatMap { row in
                ["\(row.error) (\(row.label)): \(row.occurrences.count)", "  Fix: \(row.fix)"] + row.occurrences.map { "  \($0)" }
            }
        case .redundantDirect:
            let rows = LicenceReports.redundantDirect(tenant)
            if rows.isEmpty { return ["No direct assignment is also covered by a group"] }
            return rows.map { row in
                let verdict = row.safeToRemove ? "safe to remove" : "removing it loses " + row.wouldLose.joined(separator: ", ")
                return "\(row.userPrincipalName)  \(row.skuPartNumber)  also from \(row.groups.joined(separator: ", ")): \(verdict)"
            }
        case .newPlans:
            let rows = LicenceReports.newPlanExposure(tenant)
            if rows.isEmpty { return ["No group licence lacks a plan that Microsoft's current SKU has"] }
            return rows.flatMap { row in
                [
                    "\(row.group)  \(row.skuPartNumber)  \(row.members) members  (\(row.planCount - row.disabledCount) of \(row.planCount) plans on)",
                    "  would switch on when added to the subscription: \(row.newPlans.joined(separator: ", "))",
                ]
            }
        case .forecast:
            let forecast = LicenceReports.forecast(tenant)
            var lines = ["\(forecast.pendingItems) pending work items"]
            for row in forecast.rows {
                let shortage = row.consumedAfter > row.enabled || row.newCountViolations > 0
                lines.append(
                    "  \(pad(row.skuPartNumber, 24)) now \(row.consumedNow) of \(row.enabled), after processing \(row.consumedAfter) of \(row.enabled)"
                        + (row.newCountViolations > 0 ? "  \(row.newCountViolations) new CountViolation" : "")
                        + (shortage ? "  SHORT" : ""))
            }
            return lines
        }
    }

    public static func provenance(_ facts: UserProvenance) -> [String] {
        var lines = ["\(facts.userPrincipalName)", "Groups:"]
        if facts.memberships.isEmpty { lines.append("  none") }
        for membership in facts.memberships {
            lines.append("  \(membership.group) (\(membership.kind))" + (membership.rule.map { ": \($0)" } ?? ""))
            lines += membership.explanation.map { "  " + $0 }
        }
        lines.append("Plans:")
        if facts.plans.isEmpty { lines.append("  no licences") }
        for plan in facts.plans {
            lines.append("  \(plan.enabled ? "[x]" : "[ ]") \(plan.friendlyName) (\(plan.servicePlanName)) in \(plan.skuPartNumber)")
            for path in plan.grantedBy { lines.append("      from \(path.path): \(path.state), \(path.why)") }
            for path in plan.disabledBy { lines.append("      not from \(path.path): \(path.state == "Active" ? "switched off there" : path.why)") }
        }
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
