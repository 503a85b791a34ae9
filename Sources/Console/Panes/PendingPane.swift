import LicenseModel
import TerminalKit

extension Pane {
    public static let pending = Pane(4)
}

/// 4 Pending: the work queued for processing (membership and licences), with what this
/// console confirmed and waits to apply when the running pass is over.
struct PendingPane: ListPane {
    let id = Pane.pending
    let title = "Pending"
    let placement = PanePlacement(side: .right, weight: 2)
    let columns = [
        Column("Work", flexible: true, minimumWidth: 10),
        Column("Group", flexible: true, minimumWidth: 8),
        Column("Members", dropOrder: 1, alignRight: true),
    ]

    func rows(in app: ConsoleApp, list: ListState) -> RowList {
        let tenant = app.tenant
        let glyphs = app.glyphs
        var rows: [Row] = []
        if app.state.applyWhenIdle, let id = app.state.stagedGroupID {
            rows.append(
                Row(
                    cells: [
                        "\(glyphs.pending) waits for this run, then applies: \(Plural.count(app.state.staged.count, "plan change"))",
                        tenant.group(id: id)?.displayName ?? id,
                        "",
                    ],
                    style: .pending, target: .group(id)))
        }
        if let waiting = app.state.waitingRule {
            rows.append(
                Row(
                    cells: [
                        "\(glyphs.pending) waits for this run, then saves: the rule", tenant.group(id: waiting.groupID)?.displayName ?? waiting.groupID, "",
                    ],
                    style: .pending, target: .group(waiting.groupID)))
        }
        let work = tenant.pending
        for id in work.membershipGroups {
            let group = tenant.group(id: id)
            rows.append(
                Row(
                    cells: ["\(glyphs.pending) evaluate membership", group?.displayName ?? id, "\(group?.members.count ?? 0)"], style: .pending,
                    target: .group(id)))
        }
        if !work.membershipUsers.isEmpty {
            rows.append(Row(cells: ["\(glyphs.pending) evaluate \(work.membershipUsers.count) changed users", "every dynamic group", ""], style: .pending))
        }
        for id in work.licenseGroups {
            let group = tenant.group(id: id)
            rows.append(
                Row(
                    cells: ["\(glyphs.pending) process licences", group?.displayName ?? id, "\(group?.members.count ?? 0)"], style: .pending, target: .group(id)
                ))
        }
        if !work.licenseUsers.isEmpty {
            rows.append(Row(cells: ["\(glyphs.pending) reconcile licences of \(work.licenseUsers.count) users", "", ""], style: .pending))
        }
        rows = RowSorting.sorted(RowSorting.filtered(rows, by: list.filter), by: list.sort)
        return RowList(rows.isEmpty ? [Row("Nothing pending", style: .dim)] : rows)
    }

    func total(in app: ConsoleApp) -> Int {
        let work = app.tenant.pending
        return work.membershipGroups.count + work.licenseGroups.count + (work.membershipUsers.isEmpty ? 0 : 1) + (work.licenseUsers.isEmpty ? 0 : 1)
            + (app.state.applyWhenIdle ? 1 : 0) + (app.state.waitingRule == nil ? 0 : 1)
    }

    func progress(in app: ConsoleApp) -> String? { app.progressText }
}
