import Foundation
import LicenseModel
import MembershipRules
import TerminalKit

/// Model → rows: pure functions, so every pane can be tested without a terminal.
public struct Presentation {
    public let tenant: Tenant
    public let glyphs: Glyphs

    public init(tenant: Tenant, glyphs: Glyphs) {
        self.tenant = tenant
        self.glyphs = glyphs
    }

    /// The portal's words for membership processing, with a glyph for work still to come.
    public func membershipStatus(_ group: Group) -> String {
        let status = tenant.portalStatus(of: group)
        switch status {
        case .notStarted, .evaluating: return "\(glyphs.pending) \(status.rawValue)"
        case .processingError: return "\(glyphs.error) \(status.rawValue)"
        case .notEvaluatedHere: return "\(status.rawValue): members kept as imported"
        default: return status.rawValue
        }
    }

    /// The detail view of a user: attributes, each licence with every path, each plan's source.
    public func userDetail(_ userID: String) -> [Row] {
        guard let user = tenant.user(id: userID) else { return [Row("That user is gone", style: .error)] }
        let catalog = SKUCatalog.shared
        var rows = [Row(user.displayName, style: .header), Row(user.userPrincipalName), Row("id \(user.id)", style: .dim)]
        if let enabled = user.accountEnabled { rows.append(Row("accountEnabled  \(enabled)")) }
        for (slot, value) in user.strings.all { rows.append(Row("\(MembershipRulesNames.name(slot))  \(value)")) }
        // Each group on its own row: Enter on one goes to it.
        let groups = tenant.groups(of: user.id)
        rows.append(Row("memberOf  \(groups.isEmpty ? "-" : "\(groups.count) group\(groups.count == 1 ? "" : "s") (Enter on one opens it)")"))
        for group in groups { rows.append(Row("  \(glyphs.arrow) \(group.displayName)", target: .group(group.id))) }
        rows.append(Row(""))
        if user.licenseAssignmentStates.isEmpty { rows.append(Row("No licences", style: .dim)) }
        for skuId in Set(user.licenseAssignmentStates.map(\.skuId)).sorted() {
            let sku = tenant.sku(id: skuId)
            let total = sku?.planIds.count ?? 0
            let effective = user.assignedLicenses.first { $0.skuId == skuId }
            let summary =
                effective.map { sku?.enabledSummary(disabling: $0.disabledPlans) ?? "\(total - $0.disabledPlans.count) of \(total) enabled" } ?? "not applied"
            rows.append(Row("\(sku?.skuPartNumber ?? skuId)  \(summary)", style: .header))
            for path in user.paths(for: skuId) {
                let source = path.assignedByGroup.map { "via group \(tenant.group(id: $0)?.displayName ?? $0)" } ?? "direct"
                let error = path.error == .none ? "" : "  \(glyphs.error) \(path.error.rawValue) (\(path.error.label))"
                rows.append(
                    Row(
                        "  \(source): \(path.state.rawValue), \(total - path.disabledPlans.count) of \(total) plans\(error)",
                        style: path.error == .none ? .text : .error))
            }
        }
        // The plans of each direct licence, one per line: Space on one switches it.
        for path in user.licenseAssignmentStates where path.assignedByGroup == nil {
            guard let sku = tenant.sku(id: path.skuId) else { continue }
            rows.append(Row(""))
            rows.append(Row("Direct licence \(sku.skuPartNumber): Space on a plan switches it", style: .header))
            for plan in sku.servicePlans {
                let on = !path.disabledPlans.contains(plan.servicePlanId)
                rows.append(
                    Row(
                        "  \(on ? glyphs.on : glyphs.off) \(catalog.friendlyName(ofPlan: plan.servicePlanId))", style: on ? .toggleOn : .toggleOff,
                        target: .plan(skuId: sku.skuId, planId: plan.servicePlanId)))
            }
        }
        let sources = LicenseDerivation.sources(of: user, skus: tenant.subscribedSkus)
        if !sources.isEmpty {
            rows.append(Row(""))
            rows.append(Row("Effective plans", style: .header))
            for plan in sources.keys.sorted(by: { catalog.friendlyName(ofPlan: $0) < catalog.friendlyName(ofPlan: $1) }) {
                let from = sources[plan]!.map { $0.assignedByGroup.map { "group \(tenant.group(id: $0)?.displayName ?? $0)" } ?? "direct" }
                rows.append(Row("  \(glyphs.on) \(catalog.friendlyName(ofPlan: plan))  from \(from.joined(separator: ", "))"))
            }
        }
        return rows
    }
}

/// Glyphs with ASCII fallbacks for a locale that is not UTF-8.
public struct Glyphs: Sendable {
    public var on, off, pending, error: String
    /// Where a staged plan goes: `[x→ ]`.
    public var arrow = "→"
    /// Where a cell was cut.
    public var ellipsis = "…"
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character

    public static let unicode = Glyphs(
        on: "[x]", off: "[ ]", pending: "⟳", error: "✗", horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
    public static let ascii = Glyphs(
        on: "[x]", off: "[ ]", pending: "~", error: "!", arrow: "->", ellipsis: "~", horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
        bottomLeft: "+",
        bottomRight: "+")
}

enum MembershipRulesNames {
    static func name(_ slot: Int) -> String { StringSlot.names[slot] }
}
