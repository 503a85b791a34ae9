import LicenseModel
import TerminalKit

extension Pane {
    public static let groups = Pane(2)
}

/// 2 Groups: every group with its members, licence errors, membership processing and
/// licences ("ENTERPRISEPACK 4/16"). The Licences and Members panes follow its selection.
struct GroupsPane: ListPane {
    let id = Pane.groups
    let title = "Groups"
    let placement = PanePlacement(side: .left, weight: 1)
    let columns = [
        Column("Name", flexible: true, minimumWidth: 16),
        Column("Members", alignRight: true),
        Column("Errors", flexible: true, minimumWidth: 3),
        Column("Membership", flexible: true, dropOrder: 1, minimumWidth: 8),
        Column("Licences", flexible: true, dropOrder: 2, minimumWidth: 8),
    ]

    func rows(in app: ConsoleApp, list: ListState) -> RowList {
        RowList(app.rowCache.rows(RowCache.Key(pane: id, list: list)) { makeRows(app, list: list) })
    }

    private func makeRows(_ app: ConsoleApp, list: ListState) -> [Row] {
        let tenant = app.tenant
        let glyphs = app.glyphs
        let presentation = app.presentation
        let errorCounts = tenant.licenseErrorCountsByGroup()
        let rows = tenant.groups.map { group in
            let licences = group.assignedLicenses.map { licence -> String in
                guard let sku = tenant.sku(id: licence.skuId) else { return licence.skuId }
                let enabled = sku.enabledPlanCount(disabling: licence.disabledPlans)
                return "\(sku.skuPartNumber) \(enabled)/\(sku.planIds.count)"
            }.joined(separator: ", ")
            let errors = errorCounts[group.id] ?? 0
            let status = presentation.membershipStatus(group)
            let licenceState =
                errors > 0 ? "\(glyphs.error) \(errors)" : (group.licenseProcessingState == .queuedForProcessing ? "\(glyphs.pending) queued" : "")
            return Row(
                cells: [group.displayName, "\(group.members.count)", licenceState, status, licences],
                style: errors > 0 ? .error : (status.contains(glyphs.pending) ? .pending : .text), target: .group(group.id))
        }
        return RowSorting.sorted(RowSorting.filtered(rows, by: list.filter), by: list.sort)
    }

    func total(in app: ConsoleApp) -> Int { app.tenant.groups.count }

    func open(_ row: Row, in app: ConsoleApp) -> Reaction {
        guard let id = row.groupID else { return .none }
        app.state.selectedGroupID = id
        app.state.focus = .licences
        app.state[.licences] = ListState()
        return .redraw
    }
}
