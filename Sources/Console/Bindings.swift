import TerminalKit

/// A key binding as data: the keys, what it does, where it works, and why it can't act now.
/// The same table handles keys, fills the footer and builds the `?` help, so they can't drift.
public struct Binding: Sendable {
    public let keys: [Key]
    /// Short label for the footer ("toggle").
    public let label: String
    /// One line for the help screen.
    public let help: String
    /// Panes where it works; nil for everywhere.
    public let panes: Set<Pane>?
    let disabledReason: @Sendable (ConsoleApp) -> String?
    let action: @Sendable (ConsoleApp) -> Reaction

    public var keyNames: String { keys.map(Binding.name).joined(separator: "/") }

    static func name(_ key: Key) -> String {
        switch key {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-\(c.uppercased())"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        }
    }
}

extension ConsoleApp {
    /// Every binding of the browse mode, in help order.
    static let bindings: [Binding] = [
        Binding(keys: [.character("j"), .down], label: "down", help: "move down", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: 1) }),
        Binding(keys: [.character("k"), .up], label: "up", help: "move up", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: -1) }),
        Binding(keys: [.pageDown], label: "page", help: "page down", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: $0.pageSize) }),
        Binding(keys: [.pageUp], label: "page", help: "page up", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: -$0.pageSize) }),
        Binding(keys: [.character("g"), .home], label: "top", help: "first row", panes: nil, disabledReason: { _ in nil }, action: { $0.move(to: 0) }),
        Binding(keys: [.character("G"), .end], label: "bottom", help: "last row", panes: nil, disabledReason: { _ in nil }, action: { $0.move(to: Int.max) }),
        Binding(keys: [.tab], label: "next pane", help: "focus the next pane", panes: nil, disabledReason: { _ in nil }, action: { $0.cycleFocus(by: 1) }),
        Binding(
            keys: [.backTab], label: "prev pane", help: "focus the previous pane", panes: nil, disabledReason: { _ in nil }, action: { $0.cycleFocus(by: -1) }),
        Binding(
            keys: [.character("1"), .character("2"), .character("3"), .character("4"), .character("5")], label: "pane",
            help: "focus pane 1 Users, 2 Groups, 3 Licences, 4 Pending, 5 Members (4 and 5 share a place: the one focused shows)", panes: nil,
            disabledReason: { _ in nil }, action: { _ in .none }),
        Binding(
            keys: [.character("+")], label: "zoom", help: "make the focused pane bigger: its whole column, then the whole screen", panes: nil,
            disabledReason: { $0.state.zoom == .full ? "the pane already fills the screen (_ makes it smaller)" : nil }, action: { $0.zoom(by: 1) }),
        Binding(
            keys: [.character("_")], label: "unzoom", help: "make the focused pane smaller again", panes: nil,
            disabledReason: { $0.state.zoom == .normal ? "the panes are at their normal size (+ zooms)" : nil }, action: { $0.zoom(by: -1) }),
        Binding(
            keys: [.character("s")], label: "sort", help: "sort the list by the next column (after the last: the model's order)", panes: nil,
            disabledReason: { _ in nil }, action: { $0.cycleSort() }),
        Binding(
            keys: [.character("S")], label: "reverse", help: "reverse the sort", panes: nil, disabledReason: { _ in nil }, action: { $0.reverseSort() }),
        Binding(
            keys: [.character("E")], label: "errors only", help: "show only the members with a licence error from the group, or all members again",
            panes: [.members], disabledReason: { _ in nil }, action: { $0.toggleMembersErrorsOnly() }),
        Binding(
            keys: [.enter], label: "open", help: "open the user, or the group's licences", panes: [.users, .groups, .members, .pending],
            disabledReason: { _ in nil },
            action: { $0.drillIn() }),
        Binding(
            keys: [.character(" ")], label: "stage",
            help: "mark the selected service plan to switch on or off for the group (again: unmark); y previews and applies", panes: [.licences],
            disabledReason: { $0.toggleDisabledReason }, action: { $0.stageSelectedPlan() }),
        Binding(
            keys: [.character("y")], label: "apply",
            help: "preview everything staged (members, plans, seats, licence errors); y again applies it as one change", panes: [.groups, .licences],
            disabledReason: { $0.applyDisabledReason }, action: { $0.previewStaged() }),
        Binding(
            keys: [.character("x")], label: "drop", help: "drop the staged plan changes", panes: [.groups, .licences],
            disabledReason: { $0.state.staged.isEmpty ? "nothing staged" : nil }, action: { $0.dropStaged() }),
        Binding(
            keys: [.character("u")], label: "undo", help: "undo this console's last change: previewed, refused if someone changed the object since", panes: nil,
            disabledReason: { $0.undoDisabledReason }, action: { $0.previewUndo() }),
        Binding(
            keys: [.character("R")], label: "reprocess", help: "reprocess the selected group: every member's licences again", panes: [.groups, .licences],
            disabledReason: { $0.reprocessDisabledReason }, action: { $0.reprocessSelectedGroup() }),
        Binding(
            keys: [.character("/")], label: "filter", help: "filter the list as you type; Enter keeps it, Esc clears it", panes: nil,
            disabledReason: { _ in nil }, action: { $0.startFilter() }),
        Binding(keys: [.character("n")], label: "next", help: "next match", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: 1) }),
        Binding(keys: [.character("N")], label: "prev", help: "previous match", panes: nil, disabledReason: { _ in nil }, action: { $0.move(by: -1) }),
        Binding(
            keys: [.character("p")], label: "pause", help: "pause or resume processing of queued work by this console (it runs by itself otherwise)",
            panes: nil, disabledReason: { _ in nil }, action: { $0.toggleProcessingPause() }),
        Binding(
            keys: [.character("e")], label: "edit rule", help: "edit the group's rule: checked as you type, impact shown before saving", panes: [.groups],
            disabledReason: { $0.editDisabledReason }, action: { $0.startEditingRule() }),
        Binding(keys: [.character("A")], label: "audit", help: "show the audit log", panes: nil, disabledReason: { _ in nil }, action: { $0.openAudit() }),
        Binding(
            keys: [.character(":")], label: "command",
            help: ":user, :group, :report, :explain, :theme, :seats, :license, :reprocess, :audit, :messages, :tour, :q (Tab completes)",
            panes: nil,
            disabledReason: { _ in nil }, action: { $0.startCommand() }),
        Binding(keys: [.character("?")], label: "help", help: "this help", panes: nil, disabledReason: { _ in nil }, action: { $0.openHelp() }),
        Binding(keys: [.control("r")], label: "reload", help: "reload the state from disk", panes: nil, disabledReason: { _ in nil }, action: { $0.reload() }),
        Binding(keys: [.control("l")], label: "redraw", help: "redraw the screen", panes: nil, disabledReason: { _ in nil }, action: { _ in .redraw }),
        Binding(
            keys: [.character("q")], label: "quit", help: "quit (with staged changes: q again)", panes: nil, disabledReason: { _ in nil },
            action: { $0.quitUnlessStaged() }),
    ]

    /// The footer's keys for the focused pane.
    func footerBindings() -> [Binding] {
        var wanted = ["stage", "reprocess", "open", "filter", "next pane", "help", "quit"]
        if !state.staged.isEmpty { wanted += ["apply", "drop"] }
        return Self.bindings.filter { binding in
            wanted.contains(binding.label) && (binding.panes?.contains(state.focus) ?? true)
        }
    }
}
