import Foundation
import LicenseModel
import TerminalKit

/// Every change the console makes is previewed first, whatever started it: `:seats`,
/// `:license`, a direct plan switched in a user's view go through this one preview (the model's
/// impact preview, then y), like staged plans and rules.
extension ConsoleApp {
    /// Shows the preview of `change`; y makes it (based on the versions seen now), n goes back.
    func confirm(_ change: TenantChange, title: String, note: String? = nil, done: String, undo: UndoRecord?, returnToUser: String? = nil) -> Reaction {
        do {
            let preview = try tenant.preview(change, context: ChangeContext(actor: actor))
            state.previewLines = (note.map { [$0, ""] } ?? []) + preview.summary(limit: 5_000)
            state.pendingChange = PendingChange(change: change, base: loaded.basedOn(change), title: title, done: done, undo: undo, returnToUser: returnToUser)
            state.mode = .confirmChange
            state.detailOffset = 0
        } catch {
            say(.error, "this change can't be made: \(error)")
        }
        return .redraw
    }

    func handleConfirmChangeKey(_ key: Key) -> Reaction {
        guard let pending = state.pendingChange else {
            state.mode = .browse
            return .redraw
        }
        switch key {
        case .character("y"), .character("Y"):
            state.mode = pending.returnToUser.map { .userDetail($0) } ?? .browse
            state.pendingChange = nil
            guard commit(pending.change, basedOn: pending.base) != nil else { return .redraw }
            if var undo = pending.undo {
                undo.sequence = loaded.sequence
                state.undo = undo
            }
            say(.info, pending.done + (pending.undo == nil ? "" : " (u undoes)"))
            if tenant.hasRunnableWork { startProcessing() }
        case .character("n"), .character("N"), .escape:
            state.mode = pending.returnToUser.map { .userDetail($0) } ?? .browse
            state.pendingChange = nil
            say(.info, "nothing changed")
        default:
            return .none
        }
        return .redraw
    }

    func changePreviewRows() -> [Row] {
        let lines = state.previewLines.isEmpty ? ["No member's licences change."] : state.previewLines
        return lines.map { Row($0) } + [Row(""), Row("y makes the change · n/Esc back", style: .dim)]
    }
}
