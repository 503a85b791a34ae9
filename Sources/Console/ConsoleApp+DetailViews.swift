import Foundation
import LicenseModel
import TerminalKit

/// A view over the panes: its title and its lines, already wrapped to the screen, and whether
/// its lines can be selected (a user's groups: Enter goes there).
struct Overlay {
    var title: String
    var rows: [Row]
    var selectable: Bool
}

/// The detail views (help, audit, messages, reports, a user, the previews): one way to move in
/// all of them — j/k, PgUp/PgDn, g/Home, G/End, `/` to find, n/N for the next match — lines
/// that wrap instead of being cut, and Enter on a line that stands for a user or a group.
extension ConsoleApp {
    /// The view the current mode shows over the panes, wrapped to `width` columns.
    func overlay(width: Int) -> Overlay? {
        let view: (String, [Row], Bool)
        switch state.mode {
        case .help: view = ("Help", helpRows(), false)
        case .audit: view = ("Audit", auditRows(), false)
        case .messages: view = ("Messages", messageRows(width: width), false)
        case .report(let report): view = (report.title, ReportText.lines(report, tenant: tenant).map { Row($0) }, false)
        case .explain(let id, let plan): view = ("Why: licences and plans", explainRows(id, plan: plan), false)
        case .userDetail(let id): view = ("User", presentation.userDetail(id), true)
        case .pickUser(let purpose):
            view = (purpose == .open ? "Open which user?" : "Explain which user?", pickerRows(), true)
        case .editRule(let id): view = ("Edit rule: \(tenant.group(id: id)?.displayName ?? id)", ruleEditorRows(), false)
        case .confirmRule(let id): view = ("Save rule of \(tenant.group(id: id)?.displayName ?? id)?", confirmRows(), false)
        case .confirmPlans(let id):
            view = (
                "Apply \(Plural.count(state.staged.count, "plan change")) to \(tenant.group(id: id)?.displayName ?? id)?",
                planPreviewRows(applies: "applies them as one change"), false
            )
        case .confirmUndo: view = ("Undo your last change?", planPreviewRows(applies: "undoes it"), false)
        case .confirmChange: view = (state.pendingChange?.title ?? "Make this change?", changePreviewRows(), false)
        case .ruleConflict(let id): view = ("Someone else changed the rule of \(tenant.group(id: id)?.displayName ?? id)", conflictRows(), false)
        case .browse, .filter, .command, .tour: return nil
        }
        // The rule editor lays out its own lines (carets under the rule); the rest wrap here.
        if case .editRule = state.mode { return Overlay(title: view.0, rows: view.1, selectable: false) }
        var wrapped: [Row] = []
        for row in view.1 {
            for (index, piece) in TextWrapping.wrap(row.text, width: width).enumerated() {
                wrapped.append(Row(piece, style: row.style, target: index == 0 ? row.target : nil))
            }
        }
        return Overlay(title: view.0, rows: wrapped, selectable: view.2 && wrapped.contains { $0.target != nil })
    }

    /// Lines an overlay shows at once on this screen.
    var overlayHeight: Int { max(1, lastSize.rows - 5) }
    var overlayWidth: Int { max(8, lastSize.columns - 4) }

    /// Moving in a detail view, finding in it, and Enter on a selectable line.
    func handleDetailKey(_ key: Key) -> Reaction {
        if state.detailSearchTyping { return handleDetailSearchKey(key) }
        guard let view = overlay(width: overlayWidth) else { return .none }
        let count = view.rows.count
        let page = max(1, overlayHeight - 1)
        let last = max(0, count - overlayHeight)
        if view.selectable {
            // A cursor moves over the lines; the view scrolls to keep it in sight.
            var selection = state.detailSelection ?? 0
            switch key {
            case .character("j"), .down: selection += 1
            case .character("k"), .up: selection -= 1
            case .pageDown: selection += page
            case .pageUp: selection -= page
            case .character("g"), .home: selection = 0
            case .character("G"), .end: selection = count - 1
            case .enter:
                let index = max(0, min(count - 1, selection))
                if case .pickUser(let purpose) = state.mode, case .user(let id)? = view.rows[index].target { return choose(id, for: purpose) }
                return open(view.rows[index].target)
            case .character("/"): return startDetailSearch()
            case .character("n"): return findInDetail(view.rows, forward: true)
            case .character("N"): return findInDetail(view.rows, forward: false)
            default: return .none
            }
            selection = max(0, min(count - 1, selection))
            state.detailSelection = selection
            if selection < state.detailOffset { state.detailOffset = selection }
            if selection >= state.detailOffset + overlayHeight { state.detailOffset = selection - overlayHeight + 1 }
            return .redraw
        }
        switch key {
        case .character("j"), .down: state.detailOffset += 1
        case .character("k"), .up: state.detailOffset -= 1
        case .pageDown: state.detailOffset += page
        case .pageUp: state.detailOffset -= page
        case .character("g"), .home: state.detailOffset = 0
        case .character("G"), .end: state.detailOffset = last
        case .character("/"): return startDetailSearch()
        case .character("n") where !isPreview: return findInDetail(view.rows, forward: true)
        case .character("N") where !isPreview: return findInDetail(view.rows, forward: false)
        default: return .none
        }
        state.detailOffset = max(0, min(last, state.detailOffset))
        return .redraw
    }

    /// In a preview, n is "back", not "next match" (Enter after `/` finds the next one).
    var isPreview: Bool {
        switch state.mode {
        case .confirmPlans, .confirmRule, .confirmUndo, .confirmChange, .ruleConflict: true
        default: false
        }
    }

    /// `/` in a view: a new search starts empty (Enter on nothing finds the last text again).
    func startDetailSearch() -> Reaction {
        state.detailSearchTyping = true
        state.line.limit = LineLimits.filter
        state.input = ""
        return .redraw
    }

    private func handleDetailSearchKey(_ key: Key) -> Reaction {
        switch key {
        case .escape:
            state.detailSearchTyping = false
            state.input = ""
        case .enter:
            state.detailSearchTyping = false
            if !state.input.isEmpty { state.detailQuery = state.input }
            state.input = ""
            guard let view = overlay(width: overlayWidth) else { return .redraw }
            return findInDetail(view.rows, forward: true)
        default:
            if !state.line.apply(key) { return .none }
        }
        return .redraw
    }

    /// Moves to the next (or previous) line holding the query, wrapping round; says so when
    /// there is none.
    func findInDetail(_ rows: [Row], forward: Bool) -> Reaction {
        let query = state.detailQuery.lowercased()
        guard !query.isEmpty, !rows.isEmpty else {
            say(.info, "/ finds text in this view")
            return .redraw
        }
        let current = max(0, min(rows.count - 1, state.detailSelection ?? state.detailOffset))
        let after: [Int] = Array(current + 1..<rows.count) + Array(0...current)
        let order: [Int] = forward ? after : Array(after.dropLast().reversed()) + [current]
        guard let hit = order.first(where: { rows[$0].text.lowercased().contains(query) }) else {
            say(.warn, "no line holds \"\(state.detailQuery)\"")
            return .redraw
        }
        if state.detailSelection != nil { state.detailSelection = hit }
        state.detailOffset = max(0, min(hit, rows.count - overlayHeight))
        if hit < state.detailOffset || hit >= state.detailOffset + overlayHeight { state.detailOffset = hit }
        return .redraw
    }
}
