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
        let cache = app.rowCache
        let indices = cache.indices(RowCache.Key(pane: id, list: list)) {
            guard !list.filter.isEmpty, !list.filter.hasPrefix("=") else { return UserTable.indices(nil, tenant: tenant, glyphs: glyphs, list: list) }
            // Each user's text is made once per tenant version; a filter that only grew since
            // the last one searches the last one's matches.
            let texts = cache.userSearchTexts {
                TextSearch.texts(count: users.count) { UserTable.row(users[$0], tenant: tenant, glyphs: glyphs).text.lowercased() }
            }
            let narrowed = cache.lastTextFilter.flatMap { list.filter.lowercased().contains($0.filter) ? $0.indices : nil }
            var unsorted = list
            unsorted.sort = nil
            let matches = UserTable.indices(narrowed, tenant: tenant, glyphs: glyphs, list: unsorted, searchTexts: texts)
            cache.lastTextFilter = (list.filter.lowercased(), matches)
            guard list.sort != nil else { return matches }
            var sortOnly = list
            sortOnly.filter = ""
            return UserTable.indices(matches, tenant: tenant, glyphs: glyphs, list: sortOnly)
        }
        return RowList(count: indices.count) { UserTable.row(users[indices[$0]], tenant: tenant, glyphs: glyphs) }
    }

    func total(in app: ConsoleApp) -> Int { app.tenant.users.count }
}
