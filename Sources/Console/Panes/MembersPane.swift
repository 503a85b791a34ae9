import LicenseModel
import TerminalKit

extension Pane {
    public static let members = Pane(5)
}

/// 5 Members: the members of the group the Groups pane has selected, with the licence error
/// the group's licence gives each; `E` shows only the errored ones. Enter opens the user. It
/// is a tab in the Pending pane's place (5 or Tab brings it to the front).
struct MembersPane: ListPane {
    let id = Pane.members
    let title = "Members"
    let placement = PanePlacement(tabOf: .pending)
    let columns = [
        Column("Name", flexible: true, minimumWidth: 8),
        Column("UPN", flexible: true, dropOrder: 1, minimumWidth: 12),
        Column("Licence", flexible: true, minimumWidth: 8),
    ]

    func rows(in app: ConsoleApp, list: ListState) -> RowList {
        let tenant = app.tenant
        guard let groupID = app.state.selectedGroupID, tenant.group(id: groupID) != nil else {
            return RowList([Row("Select a group (pane 2)", style: .dim)])
        }
        let errorsOnly = app.state.membersErrorsOnly
        let key = RowCache.Key(pane: id, list: list, following: groupID + (errorsOnly ? "|errors" : ""))
        let indices = app.rowCache.indices(key) {
            var members = tenant.memberUserIndices(of: groupID)
            if errorsOnly { members = members.filter { tenant.licenseError(of: tenant.users[$0], from: groupID) != nil } }
            var plain = list
            plain.sort = list.sort.map { SortOrder(column: $0.column == 2 ? 3 : $0.column, descending: $0.descending) }
            return UserTable.indices(members, tenant: tenant, glyphs: app.glyphs, list: plain)
        }
        if indices.isEmpty {
            return RowList([Row(errorsOnly ? "No member has a licence error from this group" : "No members", style: .dim)])
        }
        let glyphs = app.glyphs
        return RowList(count: indices.count) { index in
            let user = tenant.users[indices[index]]
            let licence: String
            if let failed = tenant.licenseError(of: user, from: groupID) {
                licence = "\(glyphs.error) \(failed.error.rawValue)"
            } else if tenant.group(id: groupID)?.assignedLicenses.isEmpty ?? true {
                licence = "-"
            } else {
                licence = user.licenseAssignmentStates.first { $0.assignedByGroup == groupID }?.state.rawValue ?? "\(glyphs.pending) not yet"
            }
            let failed = licence.hasPrefix(glyphs.error)
            return Row(cells: [user.displayName, user.userPrincipalName, licence], style: failed ? .error : .text, target: .user(user.id))
        }
    }

    func total(in app: ConsoleApp) -> Int {
        app.state.selectedGroupID.map { app.tenant.memberUserIndices(of: $0).count } ?? 0
    }

    func subtitle(in app: ConsoleApp) -> String? {
        guard let group = app.state.selectedGroupID.flatMap({ app.tenant.group(id: $0) }) else { return nil }
        return group.displayName + (app.state.membersErrorsOnly ? " (errors only: E)" : "")
    }
}
