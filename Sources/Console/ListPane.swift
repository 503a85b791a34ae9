import LicenseModel
import TerminalKit

/// A pane's identity: its number key (1 Users, 2 Groups, …). What it shows is its `ListPane`
/// in `PaneRegistry`.
public struct Pane: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ number: Int) { rawValue = number }
    /// The pane with this number key, if there is one.
    public init?(rawValue: Int) {
        guard PaneRegistry.all.contains(where: { $0.id.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    public static func < (lhs: Pane, rhs: Pane) -> Bool { lhs.rawValue < rhs.rawValue }
    public static var allCases: [Pane] { PaneRegistry.all.map(\.id) }
    public var title: String { PaneRegistry.pane(self).title }
    public var description: String { "\(rawValue) \(title)" }
}

/// Where a pane sits: the screen's left or right column and its share of that column's
/// height, or a tab in another pane's place (the one last focused is shown; the title names
/// the others).
public struct PanePlacement: Sendable {
    public enum Side: Sendable { case left, right }
    public var side: Side
    public var weight: Int
    public var tabOf: Pane?

    public init(side: Side, weight: Int) {
        self.side = side
        self.weight = weight
    }

    public init(tabOf host: Pane) {
        side = .right
        weight = 0
        tabOf = host
    }
}

/// A list pane as a value: its title, its table, its rows from the model, and what Enter does.
/// Adding a pane is a file holding one of these, its number in `Pane`, and a line in the
/// registry (README, "Adding a pane").
protocol ListPane: Sendable {
    var id: Pane { get }
    var title: String { get }
    var placement: PanePlacement { get }
    var columns: [Column] { get }
    /// The rows as shown: filtered by `list.filter` and sorted by `list.sort`.
    func rows(in app: ConsoleApp, list: ListState) -> RowList
    /// How many rows there are before the filter, for the title's "N of M".
    func total(in app: ConsoleApp) -> Int
    /// Said after the title: what the pane follows ("E3 All").
    func subtitle(in app: ConsoleApp) -> String?
    /// Said at the end of the title: how far work has come.
    func progress(in app: ConsoleApp) -> String?
    /// Enter on a row of this pane.
    func open(_ row: Row, in app: ConsoleApp) -> Reaction
}

extension ListPane {
    func subtitle(in app: ConsoleApp) -> String? { nil }
    func progress(in app: ConsoleApp) -> String? { nil }
    func open(_ row: Row, in app: ConsoleApp) -> Reaction { app.open(row.target) }
}

/// Every pane, in number order. One line per pane.
public enum PaneRegistry {
    static let all: [any ListPane] = [
        UsersPane(),
        GroupsPane(),
        LicencesPane(),
        MembersPane(),
        PendingPane(),
    ]

    static func pane(_ id: Pane) -> any ListPane {
        all.first { $0.id == id } ?? all[0]
    }

    /// A column's title, for reports (`bench`).
    public static func columnTitle(of pane: Pane, column: Int) -> String {
        let columns = self.pane(pane).columns
        return columns.indices.contains(column) ? columns[column].title : "column \(column)"
    }

    /// The panes that have a place of their own on screen (not tabs), in order.
    static var hosts: [any ListPane] { all.filter { $0.placement.tabOf == nil } }

    /// The panes shown in `host`'s place: itself, then its tabs.
    static func tabs(of host: Pane) -> [Pane] {
        [host] + all.filter { $0.placement.tabOf == host }.map(\.id)
    }

    /// The pane whose place `pane` is shown in.
    static func host(of pane: Pane) -> Pane { self.pane(pane).placement.tabOf ?? pane }
}
