import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// Plan changes are staged, previewed and applied as one change, and this console's last
/// change can be undone: Space marks a plan (`[x→ ]`), `y` shows what everything staged would
/// do (members, plans gained and lost, seats, licence errors) and `y` again applies it — one
/// journal entry, one audit record, one processing run; `x` drops what is staged; `u` previews
/// and applies the inverse of the last change, conflict-checked like any edit.
extension ConsoleApp {
    /// Space: marks the selected plan to switch, or unmarks it.
    func stageSelectedPlan() -> Reaction {
        guard let groupID = state.selectedGroupID, case .plan(let skuId, let planId)? = selectedRow(.licences)?.target,
            let group = tenant.group(id: groupID)
        else { return .none }
        let id = StagedPlan(skuId: skuId, planId: planId)
        if let other = state.stagedGroupID, other != groupID, !state.staged.isEmpty {
            say(.warn, "\(state.staged.count) changes are staged on \(tenant.group(id: other)?.displayName ?? other): y applies them, x drops them")
            return .redraw
        }
        let isOn = !(group.assignedLicenses.first { $0.skuId == skuId }?.disabledPlans.contains(planId) ?? true)
        if state.staged[id] != nil {
            state.staged[id] = nil
        } else {
            if state.staged.isEmpty { state.editBase = [groupID: loaded.versions[groupID]?.sequence ?? 0] }
            state.staged[id] = !isOn
        }
        state.stagedGroupID = state.staged.isEmpty ? nil : groupID
        let name = SKUCatalog.shared.friendlyName(ofPlan: planId)
        let what = state.staged[id].map { "\(name) staged \($0 ? "on" : "off")" } ?? "\(name) unstaged"
        say(.info, "\(what); \(state.staged.count) staged: y previews and applies, x drops")
        return .redraw
    }

    /// The one change that applies everything staged: the group's licences with each touched
    /// SKU's disabled plans as they would be (Graph's assignLicense on the group).
    func stagedChange() -> TenantChange? {
        guard let groupID = state.stagedGroupID, let group = tenant.group(id: groupID), !state.staged.isEmpty else { return nil }
        var licences: [AssignedLicense] = []
        for licence in group.assignedLicenses {
            var disabled = licence.disabledPlans
            var touched = false
            for (plan, enabled) in state.staged where plan.skuId == licence.skuId {
                touched = true
                disabled.removeAll { $0 == plan.planId }
                if !enabled { disabled.append(plan.planId) }
            }
            if touched { licences.append(AssignedLicense(skuId: licence.skuId, disabledPlans: disabled.sorted())) }
        }
        return .replaceGroupLicenses(groupID: groupID, add: licences, remove: [])
    }

    var applyDisabledReason: String? {
        if state.readOnly { return "read-only: \(store.directory) can't be written by you" }
        if state.applyWhenIdle { return "the staged changes already wait for the current run" }
        if state.staged.isEmpty { return "nothing staged: Space on a plan marks it to switch" }
        return nil
    }

    /// Drops staged entries that another change has already made (their plan is already in
    /// the staged state), so the counts and the preview show only what is still to do.
    func pruneStaged() {
        guard let groupID = state.stagedGroupID, let group = tenant.group(id: groupID) else {
            if !state.staged.isEmpty, let id = state.stagedGroupID {
                say(.warn, "the group \(id) no longer exists: its \(state.staged.count) staged changes were dropped")
            }
            state.staged = [:]
            state.stagedGroupID = nil
            return
        }
        var dropped: [String] = []
        for (plan, enabled) in state.staged {
            guard let licence = group.assignedLicenses.first(where: { $0.skuId == plan.skuId }) else {
                state.staged[plan] = nil
                continue
            }
            if licence.disabledPlans.contains(plan.planId) != enabled {
                state.staged[plan] = nil
                dropped.append(SKUCatalog.shared.friendlyName(ofPlan: plan.planId))
            }
        }
        if !dropped.isEmpty {
            say(.info, "already made by another change, no longer staged: " + dropped.sorted().joined(separator: ", "))
        }
        if state.staged.isEmpty { state.stagedGroupID = nil }
    }

    /// y: the preview of everything staged.
    func previewStaged() -> Reaction {
        pruneStaged()
        guard let change = stagedChange(), let groupID = state.stagedGroupID else {
            say(.info, "nothing left to apply: the staged changes are already made")
            return .redraw
        }
        do {
            let preview = try tenant.preview(change, context: ChangeContext(actor: actor))
            state.previewLines = stagedSummary() + [""] + preview.summary(limit: 5_000)
            state.mode = .confirmPlans(groupID)
        } catch {
            say(.error, "these changes can't be made: \(error)")
        }
        return .redraw
    }

    func stagedSummary() -> [String] {
        state.staged.sorted { ($0.key.skuId, $0.key.planId) < ($1.key.skuId, $1.key.planId) }.map { plan, enabled in
            "\(enabled ? "on " : "off") \(SKUCatalog.shared.friendlyName(ofPlan: plan.planId))"
        }
    }

    func handleConfirmPlansKey(_ key: Key, groupID: String) -> Reaction {
        switch key {
        case .character("y"), .character("Y"):
            state.mode = .browse
            // While a processing run holds the state, the confirmed changes wait for it (as
            // Entra queues them) instead of being refused: Pending shows them.
            if background?.isRunning == true {
                state.applyWhenIdle = true
                say(.info, "\(Plural.count(state.staged.count, "plan change")) wait for the current run, then apply (Pending shows them)")
                return .redraw
            }
            applyStaged(groupID: groupID)
        case .character("n"), .character("N"), .escape:
            state.mode = .browse
            say(.info, "nothing applied; \(state.staged.count) still staged")
        case .character("x"):
            return dropStaged()
        default:
            return .none
        }
        return .redraw
    }

    /// Commits everything staged as one change (the confirmed `y`, now or once a run is over).
    func applyStaged(groupID: String) {
        state.applyWhenIdle = false
        guard let change = stagedChange() else { return }
        let before = tenant.group(id: groupID)?.assignedLicenses ?? []
        guard commit(change, basedOn: state.editBase) != nil else {
            // Changed since it was staged (by anyone, this console too): the staged plans
            // stay, now based on the group as it is; y shows them on top of it.
            if let version = loaded.versions[groupID], version.sequence > (state.editBase[groupID] ?? Int.max) {
                state.editBase = [groupID: version.sequence]
                pruneStaged()
                say(
                    .warn,
                    "\(tenant.group(id: groupID)?.displayName ?? groupID) changed since you staged (\(version.actor): \(version.activity)); nothing was applied. Your \(state.staged.count) staged changes now sit on top of it: y previews them again, x drops them"
                )
            }
            return
        }
        let count = state.staged.count
        let name = tenant.group(id: groupID)?.displayName ?? groupID
        let touched = Set(state.staged.keys.map(\.skuId))
        state.undo = UndoRecord(
            inverse: .replaceGroupLicenses(groupID: groupID, add: before.filter { touched.contains($0.skuId) }, remove: []),
            objectID: groupID, sequence: loaded.sequence, description: "\(Plural.count(count, "plan change")) on \(name)")
        state.staged = [:]
        state.stagedGroupID = nil
        state.editBase = [:]
        say(.info, "applied \(Plural.count(count, "plan change")) to \(name); members are being processed (u undoes)")
        startProcessing()
    }

    /// x: drops everything staged.
    func dropStaged() -> Reaction {
        let count = state.staged.count
        state.applyWhenIdle = false
        state.staged = [:]
        state.stagedGroupID = nil
        state.editBase = [:]
        state.mode = .browse
        say(.info, count == 0 ? "nothing was staged" : "dropped \(Plural.count(count, "staged change"))")
        return .redraw
    }

    var undoDisabledReason: String? {
        if state.readOnly { return "read-only: \(store.directory) can't be written by you" }
        if let busy = busyReason { return busy }
        if state.undo == nil { return "nothing to undo: no change of this console is left to undo (u goes back one change)" }
        return nil
    }

    /// u: the preview of undoing this console's last change.
    func previewUndo() -> Reaction {
        guard let undo = state.undo else { return .none }
        // Refused before any preview when someone changed the object since: undoing would
        // undo their work too.
        if let version = loaded.versions[undo.objectID], version.sequence > undo.sequence {
            say(.warn, "can't undo \(undo.description): \(version.actor) changed it since (\(version.activity)); undo would take their change back too")
            return .redraw
        }
        do {
            let preview = try tenant.preview(undo.inverse, context: ChangeContext(actor: actor))
            state.previewLines = ["Undo \(undo.description)", ""] + preview.summary(limit: 5_000)
            state.mode = .confirmUndo
        } catch {
            say(.error, "can't undo: \(error)")
        }
        return .redraw
    }

    func handleConfirmUndoKey(_ key: Key) -> Reaction {
        switch key {
        case .character("y"), .character("Y"):
            guard let undo = state.undo else { return .none }
            state.mode = .browse
            // Based on the version our change made: if anyone changed the object since, the
            // undo is refused as a conflict rather than silently undoing their work too.
            guard commit(undo.inverse, basedOn: [undo.objectID: undo.sequence], auditNote: "undo of \(undo.description)") != nil else {
                return .redraw
            }
            state.undo = nil
            say(.info, "undone: \(undo.description)")
            startProcessing()
        case .character("n"), .character("N"), .escape:
            state.mode = .browse
            say(.info, "nothing undone")
        default:
            return .none
        }
        return .redraw
    }

    func planPreviewRows(applies: String) -> [Row] {
        let drop = state.mode == .confirmUndo ? "" : " · x drop the staged changes"
        return state.previewLines.map { Row($0) } + [Row(""), Row("y \(applies) · n/Esc back\(drop)", style: .dim)]
    }

    /// q: quits, unless there are staged changes: then the first q says so and a second quits.
    /// The same for Ctrl-C and for q on the too-small screen, and for a rule being edited:
    /// nothing unsaved goes without one warning first.
    func quitUnlessStaged(again: String = "q") -> Reaction {
        guard let unsaved = unsavedWork, !quitWarned else { return .quit }
        quitWarned = true
        say(.warn, "\(unsaved) would be lost: \(again) again quits")
        return .redraw
    }

    /// What quitting now would throw away, in words.
    var unsavedWork: String? {
        switch state.mode {
        case .editRule(let id), .confirmRule(let id), .ruleConflict(let id):
            if state.input != tenant.group(id: id)?.membershipRule { return "your edit of the rule of \(tenant.group(id: id)?.displayName ?? id)" }
        default: break
        }
        if state.waitingRule != nil { return "the rule waiting for the processing run" }
        if state.staged.isEmpty { return nil }
        return "\(Plural.count(state.staged.count, "staged change")) (y applies them, x drops them)"
    }
}
