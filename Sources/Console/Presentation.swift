import Foundation
import LicenseModel
import TerminalKit

/// One row of a list pane: its text, style, and the id of what it shows.
public struct Row: Equatable, Sendable {
    public var text: String
    public var style: StyleToken
    public var id: String?
    public init(_ text: String, style: StyleToken = .text, id: String? = nil) {
        self.text = text
        self.style = style
        self.id = id
    }
}

/// Model → rows: pure functions, so every pane can be tested without a terminal.
public struct Presentation {
    public let tenant: Tenant
    public let glyphs: Glyphs

    public init(tenant: Tenant, glyphs: Glyphs) {
        self.tenant = tenant
        self.glyphs = glyphs
    }

    func filtered(_ rows: [Row], by filter: String) -> [Row] {
        guard !filter.isEmpty else { return rows }
        let folded = filter.lowercased()
        return rows.filter { $0.text.lowercased().contains(folded) }
    }

    /// One user's row in the Users pane.
    public func userRow(_ user: User) -> Row {
        let licences = user.assignedLicenses.map { tenant.sku(id: $0.skuId)?.skuPartNumber ?? $0.skuId }.joined(separator: ",")
        let flag = user.hasLicenseErrors ? " \(glyphs.error) error" : ""
        return Row(
            "\(user.displayName)  \(user.userPrincipalName)  \(licences.isEmpty ? "-" : licences)\(flag)",
            style: user.hasLicenseErrors ? .error : .text, id: user.id)
    }

    /// Indices of the users whose row contains `filter` (case-insensitive).
    public func userIndices(matching filter: String) -> [Int] {
        let folded = filter.lowercased()
        return tenant.users.indices.filter { userRow(tenant.users[$0]).text.lowercased().contains(folded) }
    }

    public func groupRows(filter: String = "") -> [Row] {
        let errorCounts = tenant.licenseErrorCountsByGroup()
        return filtered(
            tenant.groups.map { group in
                let licences = group.assignedLicenses.map { licence -> String in
                    guard let sku = tenant.sku(id: licence.skuId) else { return licence.skuId }
                    return "\(sku.skuPartNumber) \(sku.planIds.count - licence.disabledPlans.count)/\(sku.planIds.count)"
                }.joined(separator: ", ")
                let errors = errorCounts[group.id] ?? 0
                let status = membershipStatus(group)
                let licenceState = errors > 0 ? "\(glyphs.error) \(errors) errors" : (group.licenseProcessingState == .queuedForProcessing ? "\(glyphs.pending) queued" : "")
                return Row(
                    "\(group.displayName)  \(group.members.count) members  \(licenceState.isEmpty ? "" : licenceState + "  ")\(status)  \(licences)",
                    style: errors > 0 ? .error : (status.contains(glyphs.pending) ? .pending : .text), id: group.id)
            }, by: filter)
    }

    /// The portal's words for membership processing, with a glyph for work still to come.
    public func membershipStatus(_ group: Group) -> String {
        let status = tenant.portalStatus(of: group)
        switch status {
        case .notStarted, .evaluating: return "\(glyphs.pending) \(status.rawValue)"
        case .processingError: return "\(glyphs.error) \(status.rawValue)"
        default: return status.rawValue
        }
    }

    /// The Licences pane for one group: per SKU "3 of 16 enabled" and seats, then a toggle row
    /// per plan, a staged one showing where it goes (`[x→ ]`). Plan rows carry "skuId|planId"
    /// as their id.
    public func licenceRows(groupID: String?, filter: String = "", staged: [String: Bool] = [:]) -> [Row] {
        guard let groupID, let group = tenant.group(id: groupID) else { return [Row("Select a group (pane 2)", style: .dim)] }
        var rows: [Row] = []
        // Why the group's members could not be worked out, where the admin is looking.
        if group.membershipProcessingStatus == .failed, let error = group.membershipProcessingError {
            rows.append(Row("Membership processing error: \(error)", style: .error, id: nil))
        }
        if group.assignedLicenses.isEmpty { return rows + [Row("\(group.displayName) assigns no licences", style: .dim)] }
        let catalog = SKUCatalog.shared
        for licence in group.assignedLicenses {
            guard let sku = tenant.sku(id: licence.skuId) else { continue }
            let total = sku.planIds.count
            let stagedHere = staged.filter { $0.key.hasPrefix(sku.skuId + "|") }
            let after = total - licence.disabledPlans.count + stagedHere.values.map { $0 ? 1 : -1 }.reduce(0, +)
            let stagedText = stagedHere.isEmpty ? "" : " \(glyphs.arrow) \(after) of \(total) staged"
            rows.append(
                Row(
                    "\(sku.skuPartNumber)  \(total - licence.disabledPlans.count) of \(total) enabled\(stagedText)  seats \(sku.consumedUnits) of \(sku.prepaidUnits.enabled) used",
                    style: .header, id: nil))
            var plans: [Row] = []
            for plan in sku.servicePlans {
                let on = !licence.disabledPlans.contains(plan.servicePlanId)
                let id = "\(sku.skuId)|\(plan.servicePlanId)"
                let mark = staged[id].map { "[\(on ? "x" : " ")\(glyphs.arrow)\($0 ? "x" : " ")]" } ?? (on ? glyphs.on : glyphs.off)
                plans.append(
                    Row(
                        "\(mark) \(catalog.friendlyName(ofPlan: plan.servicePlanId))  (\(plan.servicePlanName))",
                        style: staged[id] != nil ? .pending : (on ? .toggleOn : .toggleOff), id: id))
            }
            rows += filtered(plans, by: filter)
        }
        return rows
    }

    public func pendingRows() -> [Row] {
        var rows: [Row] = []
        let work = tenant.pending
        for id in work.membershipGroups {
            let name = tenant.group(id: id)?.displayName ?? id
            rows.append(Row("\(glyphs.pending) evaluate membership  \(name)", style: .pending, id: id))
        }
        if !work.membershipUsers.isEmpty {
            rows.append(Row("\(glyphs.pending) evaluate \(work.membershipUsers.count) changed users against every dynamic group", style: .pending))
        }
        for id in work.licenseGroups {
            let group = tenant.group(id: id)
            rows.append(Row("\(glyphs.pending) process licences  \(group?.displayName ?? id)  (\(group?.members.count ?? 0) members)", style: .pending, id: id))
        }
        if !work.licenseUsers.isEmpty {
            rows.append(Row("\(glyphs.pending) reconcile licences of \(work.licenseUsers.count) users", style: .pending))
        }
        if rows.isEmpty { rows.append(Row("Nothing pending", style: .dim)) }
        return rows
    }

    /// The detail view of a user: attributes, each licence with every path, each plan's source.
    public func userDetail(_ userID: String) -> [Row] {
        guard let user = tenant.user(id: userID) else { return [Row("That user is gone", style: .error)] }
        let catalog = SKUCatalog.shared
        var rows = [Row(user.displayName, style: .header), Row(user.userPrincipalName), Row("id \(user.id)", style: .dim)]
        if let enabled = user.accountEnabled { rows.append(Row("accountEnabled  \(enabled)")) }
        for (slot, value) in user.strings.all { rows.append(Row("\(MembershipRulesNames.name(slot))  \(value)")) }
        let groups = tenant.groups(of: user.id).map(\.displayName)
        rows.append(Row("memberOf  \(groups.isEmpty ? "-" : groups.joined(separator: ", "))"))
        rows.append(Row(""))
        if user.licenseAssignmentStates.isEmpty { rows.append(Row("No licences", style: .dim)) }
        for skuId in Set(user.licenseAssignmentStates.map(\.skuId)).sorted() {
            let sku = tenant.sku(id: skuId)
            let total = sku?.planIds.count ?? 0
            let effective = user.assignedLicenses.first { $0.skuId == skuId }
            let summary = effective.map { "\(total - $0.disabledPlans.count) of \(total) enabled" } ?? "not applied"
            rows.append(Row("\(sku?.skuPartNumber ?? skuId)  \(summary)", style: .header))
            for path in user.paths(for: skuId) {
                let source = path.assignedByGroup.map { "via group \(tenant.group(id: $0)?.displayName ?? $0)" } ?? "direct"
                let error = path.error == .none ? "" : "  \(glyphs.error) \(path.error.rawValue) (\(path.error.label))"
                rows.append(
                    Row("  \(source): \(path.state.rawValue), \(total - path.disabledPlans.count) of \(total) plans\(error)", style: path.error == .none ? .text : .error))
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
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character

    public static let unicode = Glyphs(on: "[x]", off: "[ ]", pending: "⟳", error: "✗", horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
    public static let ascii = Glyphs(on: "[x]", off: "[ ]", pending: "~", error: "!", arrow: "->", horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+")
}

import MembershipRules

enum MembershipRulesNames {
    static func name(_ slot: Int) -> String { StringSlot.names[slot] }
}
