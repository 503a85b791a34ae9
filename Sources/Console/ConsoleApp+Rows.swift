import LicenseModel

/// What the list panes show, made once per tenant version and filter: the Users pane is built
/// row by row as it is drawn; a filter's matches and the Groups pane are worked out once and
/// kept until the tenant or the filter changes.
final class RowCache {
    /// Bumped whenever the loaded state may have changed.
    var generation = 0
    private var userFilter: (generation: Int, filter: String, indices: [Int])?
    private var groupRows: (generation: Int, filter: String, rows: [Row])?
    private var errorCount: (generation: Int, count: Int)?

    func userIndices(_ filter: String, _ make: () -> [Int]) -> [Int] {
        if let cached = userFilter, cached.generation == generation, cached.filter == filter { return cached.indices }
        let indices = make()
        userFilter = (generation, filter, indices)
        return indices
    }

    func groups(_ filter: String, _ make: () -> [Row]) -> [Row] {
        if let cached = groupRows, cached.generation == generation, cached.filter == filter { return cached.rows }
        let rows = make()
        groupRows = (generation, filter, rows)
        return rows
    }

    func usersWithErrors(_ make: () -> Int) -> Int {
        if let cached = errorCount, cached.generation == generation { return cached.count }
        let count = make()
        errorCount = (generation, count)
        return count
    }
}

extension ConsoleApp {
    func rows(for pane: Pane) -> RowList {
        let filter = state[pane].filter
        let presentation = self.presentation
        let users = tenant.users
        switch pane {
        case .users:
            if filter.isEmpty { return RowList(count: users.count) { presentation.userRow(users[$0]) } }
            let indices = rowCache.userIndices(filter) { presentation.userIndices(matching: filter) }
            return RowList(count: indices.count) { presentation.userRow(users[indices[$0]]) }
        case .groups: return RowList(rowCache.groups(filter) { presentation.groupRows(filter: filter) })
        case .licences:
            let staged = state.stagedGroupID == state.selectedGroupID ? state.staged : [:]
            return RowList(presentation.licenceRows(groupID: state.selectedGroupID, filter: filter, staged: staged))
        case .pending:
            var rows = presentation.pendingRows()
            if state.applyWhenIdle, let id = state.stagedGroupID {
                let waiting = Row("\(glyphs.pending) waits for this run, then applies: \(state.staged.count) plan changes on \(tenant.group(id: id)?.displayName ?? id)", style: .pending)
                rows = [waiting] + rows.filter { $0.text != "Nothing pending" }
            }
            return RowList(rows)
        }
    }

    /// The header's count, kept per tenant version (counting walks every user).
    var usersWithLicenseErrorsCount: Int {
        rowCache.usersWithErrors { tenant.usersWithLicenseErrors.count }
    }
}
