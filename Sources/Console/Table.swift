import TerminalKit

/// One column of a pane's table: its title, how it gives way when the pane is narrow, and
/// whether it can be sorted on.
public struct Column: Sendable {
    public var title: String
    /// The column that takes what room is left and is cut first (names).
    public var flexible: Bool
    /// Columns with a higher number are dropped first when even the flexible one can't fit
    /// (a UPN goes before a user's licences and error marker).
    public var dropOrder: Int
    public var alignRight: Bool
    /// Narrowest a flexible column is cut to before others are dropped.
    public var minimumWidth: Int

    public init(_ title: String, flexible: Bool = false, dropOrder: Int = 0, alignRight: Bool = false, minimumWidth: Int = 8) {
        self.title = title
        self.flexible = flexible
        self.dropOrder = dropOrder
        self.alignRight = alignRight
        self.minimumWidth = minimumWidth
    }
}

/// Column widths that fit the content on screen: each column as wide as its widest visible
/// cell (or title), the flexible one cut to what is left, and low-priority columns dropped
/// when even that is too little. Computed from the rows in view only, so it costs the window,
/// not the tenant.
public struct TableLayout: Equatable, Sendable {
    /// Width of each column; 0 for a dropped column.
    public var widths: [Int]
    public static let gap = 2

    public init(columns: [Column], rows: [Row], width: Int) {
        var natural = columns.map { CellWidth.of($0.title) }
        for row in rows where row.cells.count == columns.count {
            for (index, cell) in row.cells.enumerated() { natural[index] = max(natural[index], CellWidth.of(TextSanitizer.inert(cell))) }
        }
        var shown = Array(repeating: true, count: columns.count)
        // What the shown columns need at full width, and how much cutting the flexible ones to
        // 80% of that (never below their minimum) would win.
        func overflow() -> Int {
            let used = columns.indices.filter { shown[$0] }
            let full = used.reduce(0) { $0 + natural[$1] } + max(0, used.count - 1) * Self.gap
            let slack = used.filter { columns[$0].flexible }.reduce(0) { $0 + max(0, natural[$1] - max(columns[$1].minimumWidth, natural[$1] * 8 / 10)) }
            return full - width - slack
        }
        // Drop columns, highest drop order first, while cutting the rest moderately would not
        // make them fit: a UPN goes before names are cut to stubs.
        for index in columns.indices.sorted(by: { columns[$0].dropOrder > columns[$1].dropOrder }) where columns[index].dropOrder > 0 {
            if overflow() > 0 { shown[index] = false }
        }
        var widths = columns.indices.map { shown[$0] ? natural[$0] : 0 }
        let used = columns.indices.filter { shown[$0] }
        var over = widths.reduce(0, +) + max(0, used.count - 1) * Self.gap - width
        // Cut the flexible column furthest above its floor a cell at a time: first down to 80%
        // of its width (never below its minimum), then to its minimum, then below it.
        let floors: [(Int) -> Int] = [
            { max(columns[$0].minimumWidth, natural[$0] * 8 / 10) }, { columns[$0].minimumWidth }, { _ in 1 },
        ]
        for floor in floors {
            while over > 0 {
                let candidates = used.filter { columns[$0].flexible && widths[$0] > floor($0) }
                guard let widest = candidates.max(by: { widths[$0] - floor($0) < widths[$1] - floor($1) }) else { break }
                widths[widest] -= 1
                over -= 1
            }
        }
        self.widths = widths
    }

    /// The cells laid out in their columns, each padded or cut to its width.
    public func line(_ cells: [String], columns: [Column], ellipsis: String = "…") -> String {
        var pieces: [String] = []
        for (index, cell) in cells.enumerated() where index < widths.count && widths[index] > 0 {
            pieces.append(Self.fit(TextSanitizer.inert(cell), width: widths[index], alignRight: columns[index].alignRight, ellipsis: ellipsis))
        }
        return pieces.joined(separator: String(repeating: " ", count: Self.gap))
    }

    /// Text cut to `width` terminal columns (a cut shows as …) and padded to it.
    public static func fit(_ text: String, width: Int, alignRight: Bool = false, ellipsis: String = "…") -> String {
        var used = CellWidth.of(text)
        var result = text
        if used > width {
            result = ""
            used = 0
            for character in text {
                let cells = CellWidth.of(character)
                if used + cells > width - 1 { break }
                result.append(character)
                used += cells
            }
            result.append(ellipsis)
            used += 1
        }
        let padding = String(repeating: " ", count: max(0, width - used))
        return alignRight ? padding + result : result + padding
    }
}
