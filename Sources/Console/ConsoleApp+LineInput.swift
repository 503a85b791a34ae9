import LicenseModel
import TerminalKit

/// Keys every typed line shares (the `:` line, `/` filters, the rule editor): shell editing
/// keys, ↑/↓ through this admin's history of that line, Tab to complete the word before the
/// cursor.
extension ConsoleApp {
    /// Handles an editing, history or completion key; false for the keys the caller handles
    /// (Enter, Esc, and anything else).
    func editLine(_ key: Key, history kind: ConsoleMemory.Line) -> Bool {
        switch key {
        case .up, .down:
            let entries = memory.history(kind)
            guard !entries.isEmpty else { return true }
            var position = state.historyPosition ?? entries.count
            position += key == .up ? -1 : 1
            position = max(0, min(entries.count, position))
            state.historyPosition = position
            state.input = position == entries.count ? "" : entries[position]
            return true
        case .tab:
            complete(kind)
            return true
        default:
            guard state.line.apply(key) else { return false }
            state.historyPosition = nil
            return true
        }
    }

    /// Keeps an entered line in this admin's history of it.
    func remember(_ text: String, in kind: ConsoleMemory.Line) {
        memory.record(text, in: kind)
        state.historyPosition = nil
    }

    private func complete(_ kind: ConsoleMemory.Line) {
        let before = state.line.beforeCursor
        let completion: LineCompletion
        switch kind {
        case .rule: completion = LineCompletion.forRule(before: before)
        case .command:
            completion = LineCompletion.forCommand(before: before, tenant: tenant, themes: ThemeLoader.names(searchPath: themeSearchPath))
        case .filter:
            // A `/=` filter is a rule; plain text has nothing to complete.
            guard before.hasPrefix("=") else { return }
            completion = LineCompletion.forRule(before: before)
        }
        let typed = String(before.suffix(completion.replacing))
        guard !completion.candidates.isEmpty else {
            state.completionHint = "Tab: nothing completes \"\(typed)\""
            return
        }
        if completion.candidates.count == 1 {
            let word = completion.candidates[0]
            state.line.replaceBeforeCursor(completion.replacing, with: word + (kind == .command && !before.contains(" ") ? " " : ""))
            return
        }
        let prefix = completion.commonPrefix
        if prefix.count > typed.count, prefix.lowercased().hasPrefix(typed.lowercased()) {
            state.line.replaceBeforeCursor(completion.replacing, with: prefix)
        }
        let shown = completion.candidates.prefix(12).joined(separator: "  ")
        let more = completion.candidates.count > 12 ? "  (\(completion.candidates.count - 12) more)" : ""
        state.completionHint = "Tab: \(shown)\(more)"
    }
}
