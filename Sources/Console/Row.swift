import TerminalKit

/// What a row stands for, so a key acting on it never parses an id back out of text.
public enum RowTarget: Hashable, Sendable {
    case user(String)
    case group(String)
    /// A service plan of a SKU, as assigned by the group the pane follows.
    case plan(skuId: String, planId: String)
}

/// One row of a list: its cells (one per column of the pane's table, or one spanning text for
/// a section line), its style and what it stands for.
public struct Row: Equatable, Sendable {
    /// The cells of a table row; empty for a line that spans the whole width.
    public var cells: [String]
    /// The spanning text, or the cells joined: what `/` searches and what a detail view shows.
    public var text: String
    public var style: StyleToken
    public var target: RowTarget?
    /// Where a text cursor sits in this line (a column of `text`), drawn as a lit cell.
    public var cursor: Int?
    /// What each column sorts by when it is not the cell itself (a plan's name, not its `[x]`).
    public var sortKeys: [String]?

    /// A spanning line (a section title, a detail view's line).
    public init(_ text: String, style: StyleToken = .text, target: RowTarget? = nil) {
        self.cells = []
        self.text = text
        self.style = style
        self.target = target
    }

    /// A table row.
    public init(cells: [String], style: StyleToken = .text, target: RowTarget? = nil) {
        self.cells = cells
        self.text = cells.filter { !$0.isEmpty }.joined(separator: "  ")
        self.style = style
        self.target = target
    }

    public var userID: String? { if case .user(let id) = target { id } else { nil } }
    public var groupID: String? { if case .group(let id) = target { id } else { nil } }
}
