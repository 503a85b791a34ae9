import Foundation
import LicenseModel
import MembershipRules
import TerminalKit

/// `e`: edit a dynamic group's rule with live validation (the caret sits under the problem),
/// then the impact preview, then y to save.
extension ConsoleApp {
    var editDisabledReason: String? {
        if state.readOnly { return "read-only: \(store.directory) can't be written by you" }
        guard let id = selectedRow(.groups)?.groupID, let group = tenant.group(id: id) else { return "select a group" }
        if !group.isDynamic { return "\(group.displayName) is a static group: it has no rule" }
        return nil
    }

    func startEditingRule() -> Reaction {
        guard let id = selectedRow(.groups)?.groupID, let group = tenant.group(id: id) else { return .none }
        state.line.limit = LineLimits.rule
        state.input = group.membershipRule ?? ""
        state.editStartRule = group.membershipRule
        state.editBase = [id: loaded.versions[id]?.sequence ?? 0]
        state.conflict = nil
        state.mode = .editRule(id)
        return .redraw
    }

    func handleRuleKey(_ key: Key, groupID: String) -> Reaction {
        switch key {
        case .escape:
            state.mode = .browse
            say(.info, "rule not changed")
        case .enter:
            guard (try? MembershipRule(state.input)) != nil else {
                say(.error, "the rule has problems: fix them first")
                return .redraw
            }
            remember(state.input, in: .rule)
            // Someone saved this rule since the editor opened: say so now, before a preview
            // that would be measured against their rule.
            if let current = tenant.group(id: groupID)?.membershipRule, current != state.editStartRule,
                let version = loaded.versions[groupID], version.sequence > (state.editBase[groupID] ?? Int.max)
            {
                state.conflict = EditConflict(actor: version.actor, time: version.time, activity: version.activity, theirs: current, mine: state.input)
                state.mode = .ruleConflict(groupID)
                return .redraw
            }
            do {
                let preview = try tenant.preview(.setGroupRule(groupID: groupID, rule: state.input), context: ChangeContext(actor: actor))
                state.previewLines = preview.summary(limit: 5_000)
                state.mode = .confirmRule(groupID)
            } catch {
                say(.error, error.description)
            }
        default:
            guard editLine(key, history: .rule) else { return .none }
        }
        return .redraw
    }

    func handleConfirmKey(_ key: Key, groupID: String) -> Reaction {
        switch key {
        case .character("y"), .character("Y"):
            state.mode = .browse
            let base = state.editBase.isEmpty ? [groupID: loaded.versions[groupID]?.sequence ?? 0] : state.editBase
            // During a processing run the save waits for it (as Entra queues it); Pending shows it.
            if background?.isRunning == true {
                state.waitingRule = WaitingRule(groupID: groupID, rule: state.input, base: base)
                say(.info, "the rule is saved as soon as the current processing run is over (Pending shows it)")
                return .redraw
            }
            saveRule(state.input, groupID: groupID, basedOn: base)
        case .character("n"), .character("N"):
            state.mode = .editRule(groupID)
        case .escape, .character("q"):
            state.mode = .browse
            say(.info, "rule not changed")
        default:
            return .none
        }
        return .redraw
    }

    /// Saves a rule based on the version the edit began from: a save after someone else's is a
    /// conflict (their rule is shown, nothing is lost), never an overwrite.
    func saveRule(_ rule: String, groupID: String, basedOn base: [String: Int]) {
        let old = tenant.group(id: groupID)?.membershipRule
        guard commit(.setGroupRule(groupID: groupID, rule: rule), basedOn: base) != nil else {
            if let version = loaded.versions[groupID], version.sequence > (base[groupID] ?? Int.max) {
                state.conflict = EditConflict(
                    actor: version.actor, time: version.time, activity: version.activity,
                    theirs: tenant.group(id: groupID)?.membershipRule ?? "", mine: rule)
                state.input = rule
                state.mode = .ruleConflict(groupID)
            }
            return
        }
        state.editBase = [:]
        state.conflict = nil
        if let old {
            state.undo = UndoRecord(
                inverse: .setGroupRule(groupID: groupID, rule: old), objectID: groupID, sequence: loaded.sequence,
                description: "the rule change on \(tenant.group(id: groupID)?.displayName ?? groupID)")
        }
        say(.info, "rule saved; membership is being evaluated")
        startProcessing()
    }

    /// The editor: the rule, then "valid" with its canonical form, or each problem with a caret.
    func ruleEditorRows() -> [Row] {
        var rows: [Row] = []
        if let conflict = state.conflict {
            rows += Self.wrap("\(conflict.actor)'s rule, now saved: \(conflict.theirs)", width: max(20, lastSize.columns - 4)).map { Row($0, style: .dim) }
            rows.append(Row(""))
        }
        let compiled: MembershipRule?
        var problems: [RuleDiagnostic] = []
        do { compiled = try MembershipRule(state.input) } catch {
            compiled = nil
            problems = error.problems
        }
        // The rule wraps (up to 3,072 characters), and each caret line sits under the piece
        // of the rule it points into.
        let width = max(20, lastSize.columns - 4)
        // A space after the rule gives the cursor a cell at the end.
        let wrapped = WrappedRule(state.input + " ", problems: problems, width: width)
        let cursor = state.line.cursor
        rows.append(Row("Rule (\(state.input.count) of \(RuleLimits.maximumLength) characters):", style: .dim))
        for (index, piece) in wrapped.pieces.enumerated() {
            var row = Row(piece.text)
            let isLast = index == wrapped.pieces.count - 1
            if (piece.start..<piece.start + piece.text.count).contains(cursor) || (isLast && cursor >= piece.start) {
                row.cursor = min(cursor - piece.start, piece.text.count)
            }
            rows.append(row)
            for caret in piece.carets {
                // Spaced by terminal columns, so a wide character in a string constant does
                // not push the caret off what it points at.
                let lead = CellWidth.of(String(piece.text.prefix(caret.lowerBound)))
                let under = CellWidth.of(String(piece.text.dropFirst(caret.lowerBound).prefix(caret.count)))
                rows.append(Row(String(repeating: " ", count: lead) + String(repeating: "^", count: max(1, under)), style: .error))
            }
        }
        if let rule = compiled {
            rows.append(Row(""))
            for piece in TextWrapping.wrap("\(glyphs.on) valid: \(rule.canonicalText)", width: width) { rows.append(Row(piece, style: .toggleOn)) }
            let matching = tenant.userIndices(matching: rule).count
            if let reason = rule.matchBudget.exceeded {
                rows.append(Row("\(glyphs.error) can't be evaluated: \(reason)", style: .error))
            } else {
                rows.append(
                    Row("\(matching) of \(tenant.users.count) users match. Enter shows who joins, who leaves, and the licences that move.", style: .dim))
            }
        }
        for problem in problems {
            for piece in Self.wrap("Error: column \(problem.column): \(problem.text)", width: width) { rows.append(Row(piece, style: .error)) }
        }
        return rows
    }

    /// Text cut into pieces of `width` characters (rules are written in ASCII but for their
    /// string constants).
    static func wrap(_ text: String, width: Int) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        repeat {
            pieces.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        } while !rest.isEmpty
        return pieces
    }

    /// e: back to the editor with my rule, now based on theirs (shown above it); d or Esc:
    /// keep theirs, drop mine.
    func handleConflictKey(_ key: Key, groupID: String) -> Reaction {
        switch key {
        case .character("e"), .character("E"):
            state.input = state.conflict?.mine ?? state.input
            state.editBase = [groupID: loaded.versions[groupID]?.sequence ?? 0]
            state.editStartRule = tenant.group(id: groupID)?.membershipRule
            state.mode = .editRule(groupID)
            say(.info, "editing your rule on top of theirs; Enter previews, y saves")
        case .character("d"), .character("D"), .escape:
            state.conflict = nil
            state.editBase = [:]
            state.mode = .browse
            say(.info, "your rule was discarded; theirs stays")
        default:
            return .none
        }
        return .redraw
    }

    func conflictRows() -> [Row] {
        guard let conflict = state.conflict else { return [] }
        let time = ISO8601DateFormatter().string(from: conflict.time)
        return [
            Row("\(conflict.actor) changed this group at \(time) (\(conflict.activity)) after you began editing.", style: .error),
            Row("Nothing of yours was saved, and nothing of theirs was overwritten.", style: .dim),
            Row(""),
            Row("Their rule (saved):", style: .dim),
        ] + Self.wrap(conflict.theirs, width: max(20, lastSize.columns - 6)).map { Row("  " + $0) } + [
            Row(""), Row("Your rule (not saved):", style: .dim),
        ] + Self.wrap(conflict.mine, width: max(20, lastSize.columns - 6)).map { Row("  " + $0) } + [
            Row(""), Row("e edit yours on top of theirs · d discard yours (Esc too)", style: .dim),
        ]
    }

    func confirmRows() -> [Row] {
        Self.wrap("Rule: \(state.input)", width: max(20, lastSize.columns - 4)).map { Row($0) } + [Row("")] + state.previewLines.map { Row($0) }
            + [Row(""), Row("y saves the rule (members and licences follow), n edits again, Esc cancels", style: .dim)]
    }
}
