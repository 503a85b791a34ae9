import LicenseModel
import TerminalKit

extension Pane {
    public static let licences = Pane(3)
}

/// 3 Licences: the licences of the group the Groups pane has selected: per SKU "3 of 16
/// enabled" and seats, then a toggle row per plan, a staged one showing where it goes (`[x→ ]`).
struct LicencesPane: ListPane {
    let id = Pane.licences
    let title = "Licences"
    let placement = PanePlacement(side: .right, weight: 3)
    let columns = [
        Column("Plan", flexible: true, minimumWidth: 12),
        Column("Service plan", flexible: true, dropOrder: 1, minimumWidth: 10),
    ]

    func rows(in app: ConsoleApp, list: ListState) -> RowList {
        let staged = app.state.stagedGroupID == app.state.selectedGroupID ? app.state.staged : [:]
        return RowList(Self.rows(app.tenant, glyphs: app.glyphs, groupID: app.state.selectedGroupID, list: list, staged: staged))
    }

    static func rows(_ tenant: Tenant, glyphs: Glyphs, groupID: String?, list: ListState, staged: [StagedPlan: Bool]) -> [Row] {
        guard let groupID, let group = tenant.group(id: groupID) else { return [Row("Select a group (pane 2)", style: .dim)] }
        var rows: [Row] = []
        // Why the group's members could not be worked out, where the admin is looking.
        if group.membershipProcessingStatus == .failed, let error = group.membershipProcessingError {
            rows.append(Row("Membership processing error: \(error)", style: .error))
        }
        // A tenant's rule LicenseDesk can't evaluate: its members are the tenant's, not worked out.
        if let reason = tenant.notEvaluatedReason(of: group) {
            rows.append(Row("Rule not evaluated here (\(reason)); the \(group.members.count) members are kept as imported", style: .dim))
        }
        if group.assignedLicenses.isEmpty { return rows + [Row("\(group.displayName) assigns no licences", style: .dim)] }
        let catalog = SKUCatalog.shared
        for licence in group.assignedLicenses {
            guard let sku = tenant.sku(id: licence.skuId) else { continue }
            let stagedHere = staged.filter { $0.key.skuId == sku.skuId }
            var after = licence.disabledPlans
            for (plan, enabled) in stagedHere {
                after.removeAll { $0 == plan.planId }
                if !enabled { after.append(plan.planId) }
            }
            let stagedText = stagedHere.isEmpty ? "" : " \(glyphs.arrow) \(sku.enabledPlanCount(disabling: after)) of \(Set(sku.planIds).count) staged"
            let seats = SeatWords.describe(sku, glyphs: glyphs)
            rows.append(
                Row(
                    "\(sku.skuPartNumber)  \(sku.enabledSummary(disabling: licence.disabledPlans))\(stagedText)  \(seats)",
                    style: sku.isOverAllocated ? .error : .header))
            var plans: [Row] = []
            for plan in sku.servicePlans {
                let on = !licence.disabledPlans.contains(plan.servicePlanId)
                let key = StagedPlan(skuId: sku.skuId, planId: plan.servicePlanId)
                let mark = staged[key].map { "[\(on ? "x" : " ")\(glyphs.arrow)\($0 ? "x" : " ")]" } ?? (on ? glyphs.on : glyphs.off)
                var row = Row(
                    cells: ["\(mark) \(catalog.friendlyName(ofPlan: plan.servicePlanId))", plan.servicePlanName],
                    style: staged[key] != nil ? .pending : (on ? .toggleOn : .toggleOff), target: .plan(skuId: sku.skuId, planId: plan.servicePlanId))
                row.sortKeys = [catalog.friendlyName(ofPlan: plan.servicePlanId), plan.servicePlanName]
                plans.append(row)
            }
            rows += RowSorting.sorted(RowSorting.filtered(plans, by: list.filter), by: list.sort)
        }
        return rows
    }

    func total(in app: ConsoleApp) -> Int {
        guard let group = app.state.selectedGroupID.flatMap({ app.tenant.group(id: $0) }) else { return 0 }
        return group.assignedLicenses.reduce(0) { $0 + (app.tenant.sku(id: $1.skuId)?.servicePlans.count ?? 0) }
    }

    func subtitle(in app: ConsoleApp) -> String? {
        app.state.selectedGroupID.flatMap { app.tenant.group(id: $0)?.displayName }
    }
}

/// Seats in words: "seats 20 of 25 used", with a warning when more are used than bought.
enum SeatWords {
    static func describe(_ sku: SubscribedSku, glyphs: Glyphs) -> String {
        let base = "seats \(sku.consumedUnits) of \(sku.prepaidUnits.enabled) used"
        return sku.isOverAllocated ? "\(base) \(glyphs.error) \(sku.consumedUnits - sku.prepaidUnits.enabled) over" : base
    }
}
