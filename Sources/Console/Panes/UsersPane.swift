import LicenseModel
import TerminalKit

extension Pane {
    public static let users = Pane(1)
}

/// 1 Users: every user, built row by row as drawn, so a million users draw as fast as forty.
struct UsersPane: ListPane {
    let id = Pane.users
    let title = "Users"
    let placement = PanePlacement(side: .left, weight: 1)
    var columns: [Column] { UserTable.columns }

    func rows(in app: ConsoleApp, list: ListState) -> RowList {
        let tenant = app.tenant
        let glyphs = app.glyphs
        let users = tenant.users
        if list.filter.isEmpty && list.sort == nil {
            return RowList(count: users.count) { UserTable.row(users[$0], tenant: tenant, glyphs: glyphs) }
        }
        let indices = app.rowCache.indices(RowCache.Key(pane: id, list: list)) {
            UserTable.indices(nil, tenant: tenant, glyphs: glyphs, list: list)
        }
        return RowList(count: indices.count) { UserTable.row(users[indices[$0]], tenant: tenant, glyphs: glyphs) }
    }

    func total(in app: ConsoleApp) -> Int { app.tenant.users.count }
}
