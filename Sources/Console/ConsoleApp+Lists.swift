import LicenseModel
import TerminalKit

/// How the lists are looked at: zoom, sort, the Members pane's errors-only switch.
extension ConsoleApp {
    /// `+` and `_`: normal → the focused pane's whole column → the whole screen, and back.
    func zoom(by step: Int) -> Reaction {
        let all = Zoom.allCases
        state.zoom = all[max(0, min(all.count - 1, state.zoom.rawValue + step))]
        return .redraw
    }

    /// `s`: the next column of the focused pane's table, then the model's order again.
    func cycleSort() -> Reaction {
        let columns = PaneRegistry.pane(state.focus).columns
        var list = state[state.focus]
        switch list.sort {
        case nil: list.sort = SortOrder(column: 0, descending: false)
        case let sort? where sort.column + 1 < columns.count: list.sort = SortOrder(column: sort.column + 1, descending: sort.descending)
        default: list.sort = nil
        }
        resort(list)
        say(.info, list.sort.map { "sorted by \(columns[$0.column].title)\($0.descending ? ", descending" : "")" } ?? "in the model's order")
        return .redraw
    }

    /// `S`: the other direction (sorting by the first column if nothing was sorted).
    func reverseSort() -> Reaction {
        var list = state[state.focus]
        var sort = list.sort ?? SortOrder(column: 0, descending: false)
        sort.descending.toggle()
        list.sort = sort
        resort(list)
        return .redraw
    }

    /// Takes the new sort and keeps the selected row selected where it went (lists of up to
    /// 5,000 rows are searched for it; a longer one starts at the top).
    private func resort(_ sorted: ListState) {
        let selected = selectedRow(state.focus)?.target
        var list = sorted
        list.selection = 0
        list.offset = 0
        state[state.focus] = list
        guard let selected else { return }
        let rows = rows(for: state.focus)
        guard rows.count <= 5_000, let index = rows.firstIndex(where: { $0.target == selected }) else { return }
        state[state.focus].selection = index
    }

    func toggleMembersErrorsOnly() -> Reaction {
        state.membersErrorsOnly.toggle()
        state[.members].selection = 0
        state[.members].offset = 0
        return .redraw
    }
}
