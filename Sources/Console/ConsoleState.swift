import Foundation
import LicenseModel
import TerminalKit

/// What the keyboard is talking to.
public enum ConsoleMode: Equatable, Sendable {
    case browse
    /// Typing a filter for the focused pane.
    case filter
    /// Typing a `:` command.
    case command
    case help
    /// The detail view of one user.
    case userDetail(String)
    case audit
    /// Every message of this session, whole (`:messages`).
    case messages
    /// Editing a group's rule, validated as you type.
    case editRule(String)
    /// The impact of the edited rule, waiting for y or n.
    case confirmRule(String)
    /// The preview of the staged plan changes (or of an undo), waiting for y or n.
    case confirmPlans(String)
    case confirmUndo
    /// The preview of one change typed on the `:` line or made in a user's view (seats, a
    /// direct licence, a direct plan), waiting for y or n.
    case confirmChange
    /// Someone else changed the rule after this admin began editing it: theirs is shown,
    /// waiting for e (edit on top of theirs) or d (discard mine).
    case ruleConflict(String)
    /// A screen of the first-run tour, over the panes.
    case tour(Int)
    /// A licence report (`:report <name>`).
    case report(ReportText.Report)
    /// Why a user has its plans (`:explain <upn> [plan]`): user id and plan query.
    case explain(String, String?)
    /// Several users answer `:user meg` or `:explain meg`: pick one (Enter).
    case pickUser(UserPickPurpose)
}

/// One change waiting for the admin's y: what it is, the versions it is based on, what to say
/// once it is made, how to undo it, and the view to go back to.
public struct PendingChange: Equatable, Sendable {
    public var change: TenantChange
    public var base: [String: Int]
    public var title: String
    public var done: String
    public var undo: UndoRecord?
    public var returnToUser: String?
}

/// A rule confirmed during a processing run, with the version the edit began from.
public struct WaitingRule: Equatable, Sendable {
    public var groupID: String
    public var rule: String
    public var base: [String: Int]
}

/// What a picked user is for.
public enum UserPickPurpose: Equatable, Sendable {
    case open
    case explain(plan: String?)
}

/// A message in the status line, with its level (shown as a word, not only a colour).
public struct StatusMessage: Equatable, Sendable {
    public enum Level: String, Sendable { case info = "", warn = "Warning: ", error = "Error: " }
    public var level: Level
    public var text: String
    public init(level: Level, text: String) {
        self.level = level
        self.text = text
    }
}

/// Per-pane list state: the selected row, the scroll offset, the filter.
public struct ListState: Hashable, Sendable {
    public var selection = 0
    public var offset = 0
    public var filter = ""
    /// `s` picks the column, `S` reverses; nil is the model's order.
    public var sort: SortOrder?

    /// Keeps the selection inside `count` rows and visible in `height` rows.
    mutating func clamp(count: Int, height: Int) {
        selection = max(0, min(selection, count - 1))
        if selection < offset { offset = selection }
        if height > 0, selection >= offset + height { offset = selection - height + 1 }
        offset = max(0, min(offset, max(0, count - height)))
    }
}

/// Everything the console shows besides the tenant.
public struct ConsoleState: Equatable, Sendable {
    public var focus: Pane = .groups {
        didSet { frontTab[PaneRegistry.host(of: focus)] = focus }
    }
    public var lists: [Pane: ListState] = Dictionary(uniqueKeysWithValues: Pane.allCases.map { ($0, ListState()) })
    public var mode: ConsoleMode = .browse
    /// The line being typed (`:`, `/`, the rule editor), with its cursor.
    public var line = LineEditor()
    /// The text of that line; setting it puts the cursor at the end.
    public var input: String {
        get { line.text }
        set { line.text = newValue }
    }
    /// What Tab found, shown in the footer until the next key.
    public var completionHint: String?
    /// Which history ↑/↓ walk in the line being typed, and where in it they are.
    public var historyPosition: Int?
    /// A line in a detail view: the selected one, for views whose lines stand for something.
    public var detailSelection: Int?
    /// The user view a `:license` line opened from (`a`, `d`) goes back to.
    public var returnToUser: String?
    /// The change `confirmChange` previews.
    public var pendingChange: PendingChange?
    /// The users a `:user` or `:explain` picker offers, by id.
    public var pickCandidates: [String] = []
    /// `/` in a detail view: typing the text to find, and the last text found.
    public var detailSearchTyping = false
    public var detailQuery = ""
    public var status: StatusMessage?
    /// The group whose licences the Licences pane shows (the groups selection, by id).
    public var selectedGroupID: String?
    public var detailOffset = 0
    public var readOnly = false
    /// The impact preview lines of the rule waiting for confirmation.
    public var previewLines: [String] = []
    /// The version of each object an edit is based on, taken when the admin began it (`e`),
    /// not at the last refresh: a save after someone else's is a conflict, never an overwrite.
    public var editBase: [String: Int] = [:]
    /// The rule as it was when the editor opened (another admin's save meanwhile is told at
    /// Enter, before the preview, not only at y).
    public var editStartRule: String?
    /// The other admin's change that a save ran into.
    public var conflict: EditConflict?
    /// Plan changes marked with Space and not yet applied: plan → enabled after, for the group
    /// `stagedGroupID`. `y` previews and applies them as one change.
    public var staged: [StagedPlan: Bool] = [:]
    public var stagedGroupID: String?
    /// The staged changes were confirmed while a processing run held the state: they apply
    /// as soon as it is over.
    public var applyWhenIdle = false
    /// A rule saved (`y`) while a processing run held the state: saved as soon as it is over.
    public var waitingRule: WaitingRule?
    /// `p`: this console does not start processing queued work on its own.
    public var processingPaused = false
    /// This console's last change and the change that undoes it (`u`).
    public var undo: UndoRecord?
    /// `E` in the Members pane: only members with a licence error from the group.
    public var membersErrorsOnly = false
    /// For a place shared by tabs (Pending, Members): the tab in front, the one last focused.
    public var frontTab: [Pane: Pane] = [:]
    /// `+` and `_`: the focused pane at its normal size, its whole column, or the whole screen.
    public var zoom: Zoom = .normal

    public subscript(pane: Pane) -> ListState {
        get { lists[pane] ?? ListState() }
        set { lists[pane] = newValue }
    }
}

/// How much of the screen the focused pane takes (`+` bigger, `_` smaller, as in lazygit).
public enum Zoom: Int, Sendable, CaseIterable {
    case normal, half, full
}

/// A service plan of a SKU marked to switch on or off.
public struct StagedPlan: Hashable, Sendable {
    public var skuId: String
    public var planId: String
}

/// Another admin's change that an edit ran into: who, when, what they did, their value and
/// the value this admin was about to save.
public struct EditConflict: Equatable, Sendable {
    public var actor: String
    public var time: Date
    public var activity: String
    public var theirs: String
    public var mine: String
}

/// What `u` would undo: the inverse of this console's last change, the sequence the change
/// landed at (the undo is refused if anyone changed the object since), and words for it.
public struct UndoRecord: Equatable, Sendable {
    public var inverse: TenantChange
    public var objectID: String
    public var sequence: Int
    public var description: String
}

/// One status-line message, kept for `:messages`.
public struct LoggedMessage: Equatable, Sendable {
    public var time: Date
    public var message: StatusMessage
}
