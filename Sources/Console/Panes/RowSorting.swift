import Foundation

/// The sort of a list: the column and the direction (`s` cycles the column, `S` reverses).
public struct SortOrder: Hashable, Sendable {
    public var column: Int
    public var descending: Bool
}

/// Sorting and filtering for panes whose rows are all made at once (groups, plans, pending
/// work): numbers compare as numbers ("9 members" before "10 members"), ties keep the
/// model's order, and a section line (a SKU's title) keeps its place with its rows sorted
/// under it.
enum RowSorting {
    static func filtered(_ rows: [Row], by filter: String) -> [Row] {
        guard !filter.isEmpty else { return rows }
        let folded = filter.lowercased()
        return rows.filter { $0.cells.isEmpty || $0.text.lowercased().contains(folded) }
    }

    static func key(_ row: Row, _ column: Int) -> String {
        let keys = row.sortKeys ?? row.cells
        return keys.indices.contains(column) ? keys[column] : ""
    }

    static func sorted(_ rows: [Row], by sort: SortOrder?) -> [Row] {
        guard let sort else { return rows }
        var result: [Row] = []
        var run: [Row] = []
        func flush() {
            let order = run.indices.sorted { a, b in
                let left = key(run[a], sort.column)
                let right = key(run[b], sort.column)
                let comparison = left.compare(right, options: [.numeric, .caseInsensitive])
                if comparison == .orderedSame { return a < b }
                return (comparison == .orderedAscending) != sort.descending
            }
            result += order.map { run[$0] }
            run = []
        }
        for row in rows {
            if row.cells.isEmpty {
                flush()
                result.append(row)
            } else {
                run.append(row)
            }
        }
        flush()
        return result
    }
}
