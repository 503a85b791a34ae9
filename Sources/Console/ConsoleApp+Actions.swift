import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// The actions that change the tenant: each builds a `TenantChange` and commits it through the
/// store, then processes the queued work, as Entra would shortly after.
extension ConsoleApp {
    /// Staging writes nothing, so it works while processing runs (applying waits for it).
    var toggleDisabledReason: String? {
        if state.readOnly { return "read-only: \(store.directory) can't be written by you" }
        guard case .plan? = selectedRow(.licences)?.target else {
            return "Space marks a service plan to switch: move to a plan row ([x] or [ ])"
        }
        return nil
    }

    var reprocessDisabledReason: String? {
        if state.readOnly { return "read-only: \(store.directory) can't be written by you" }
        if let busy = busyReason { return busy }
        guard let groupID = state.focus == .groups ? selectedRow(.groups)?.groupID : state.selectedGroupID,
            let group = tenant.group(id: groupID)
        else { return "select a group to reprocess" }
        if group.assignedLicenses.isEmpty { return "\(group.displayName) assigns no licences: nothing to reprocess" }
        return nil
    }

    func reprocessSelectedGroup() -> Reaction {
        guard let groupID = state.focus == .groups ? selectedRow(.groups)?.groupID : state.selectedGroupID,
            let group = tenant.group(id: groupID)
        else { return .none }
        guard let queued = commit(.reprocessGroup(groupID: groupID)) else { return .redraw }
        say(.info, queued.notes.first ?? "queued \(group.displayName)")
        startProcessing()
        return .redraw
    }

    /// Commits through the store; a refusal, conflict or I/O problem lands in the status line.
    /// `basedOn`: the versions the admin saw when the edit began (default: as now loaded).
    @discardableResult
    func commit(_ change: TenantChange, basedOn base: [String: Int]? = nil, auditNote: String? = nil) -> ChangeEffects? {
        // The run holds the state's lock: a commit now would freeze the screen until it is
        // over. What should wait for it (staged plans, a rule) is queued by its caller instead.
        if let busy = busyReason {
            say(.warn, busy)
            return nil
        }
        let basedOn = base ?? loaded.basedOn(change)
        do {
            let context = ChangeContext(now: Date(), actor: actor, roles: roles)
            let noticesBefore = loaded.notices.count
            let effects = try store.commit(change, context: context, basedOn: basedOn, onto: &loaded, auditNote: auditNote)
            // Saved; what failed after the save (the audit record, a compaction) is a warning.
            if loaded.notices.count > noticesBefore, let warning = loaded.notices.last { say(.error, warning) }
            return effects
        } catch let error as StateError {
            if case .conflict = error {
                // commit brought our copy up to date: the screen now shows the other change.
                say(.error, "\(error)")
            } else {
                say(.error, error.description)
            }
        } catch {
            say(.error, "\(error)")
        }
        return nil
    }

    func reload() -> Reaction {
        do {
            loaded = try store.load()
            rowCache.generation += 1
            say(.info, "reloaded from \(store.directory) (journal \(loaded.sequence))")
        } catch {
            say(.error, "could not reload: \(error)")
        }
        return .redraw
    }

    // MARK: - Typing

    func startFilter() -> Reaction {
        state.mode = .filter
        state.line.limit = LineLimits.filter
        state.input = state[state.focus].filter
        return .redraw
    }

    /// Filters as you type; a filter that begins with `=` is a membership rule, applied on
    /// Enter (at a million users each evaluation takes a moment), checked as you type.
    func handleFilterKey(_ key: Key) -> Reaction {
        switch key {
        case .escape:
            state[state.focus].filter = ""
            state.mode = .browse
        case .enter:
            state.mode = .browse
            if state.input.hasPrefix("="), state.focus != .users, state.focus != .members {
                say(.error, "a rule filter (=…) picks users: use it in 1 Users or 5 Members")
                state[state.focus].filter = ""
                return .redraw
            }
            if state.input.hasPrefix("="), let problem = RuleFilter.problem(state.input) {
                say(.error, "the filter is not a rule Entra would take: \(problem)")
                return .redraw
            }
            remember(state.input, in: .filter)
        default:
            guard editLine(key, history: .filter) else { return .none }
        }
        if (state.mode == .filter && !state.input.hasPrefix("=")) || key == .enter {
            state[state.focus].filter = state.input
            state[state.focus].selection = 0
            state[state.focus].offset = 0
        }
        return .redraw
    }

    func startCommand() -> Reaction {
        state.mode = .command
        state.line.limit = LineLimits.command
        state.input = ""
        return .redraw
    }

    func handleCommandKey(_ key: Key) -> Reaction {
        switch key {
        case .escape,
            .backspace where state.input.isEmpty:
            state.mode = state.returnToUser.map { .userDetail($0) } ?? .browse
            state.returnToUser = nil
        case .enter:
            // A line opened from a user's view (a, d) goes back there, whatever it did.
            state.mode = state.returnToUser.map { .userDetail($0) } ?? .browse
            remember(state.input, in: .command)
            let reaction = runCommand(state.input)
            state.returnToUser = nil
            return reaction
        default:
            guard editLine(key, history: .command) else { return .none }
        }
        return .redraw
    }

    /// `:user alice`, `:group E3 All`, `:theme light`, `:audit`, `:q`.
    func runCommand(_ line: String) -> Reaction {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let verb = trimmed.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        let argument = trimmed.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "":
            return .redraw
        case "q", "quit": return quitUnlessStaged()
        case "audit": return openAudit()
        case "messages", "msgs":
            state.mode = .messages
            state.detailOffset = 0
            return .redraw
        case "tour": return startTour()
        case "report":
            guard let report = ReportText.Report(rawValue: argument.lowercased()) else {
                say(.error, "no report called \(argument); try " + ReportText.Report.allCases.map(\.rawValue).joined(separator: ", "))
                return .redraw
            }
            state.mode = .report(report)
            state.detailOffset = 0
        case "explain":
            let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
            let plan = words.count > 1 ? words[1] : nil
            return findUsers(words.first ?? "", for: .explain(plan: plan))
        case "user":
            return findUsers(argument, for: .open)
        case "seats":
            return setSeats(argument)
        case "reprocess":
            return reprocessUser(argument)
        case "license", "licence":
            return changeDirectLicence(argument)
        case "group":
            do {
                let group = try tenant.findGroup(argument)
                select(groupID: group.id)
            } catch { say(.error, error.description) }
        case "theme":
            switch ThemeLoader.load(named: argument, searchPath: themeSearchPath) {
            case .success(let theme):
                self.theme = theme
                themeChanged = true
                memory.remember(theme: argument)
                say(.info, "theme \(theme.name) (kept for your next session)")
            case .failure(let error):
                say(.error, error.description)
            }
        default:
            say(
                .error,
                "unknown command :\(verb); try :user <name or upn>, :group <name>, :report <name>, :explain <user> [plan], :seats <sku> <count>, :reprocess <user>, :theme <name>, :audit, :messages, :tour, :q (Tab completes)"
            )
        }
        return .redraw
    }

    func openHelp() -> Reaction {
        state.mode = .help
        state.detailOffset = 0
        return .redraw
    }

    func openAudit() -> Reaction {
        state.mode = .audit
        state.detailOffset = 0
        return .redraw
    }

    /// The help text, from the binding table.
    func helpRows() -> [Row] {
        var rows = [Row("Keys · t (in this help) takes the first-run tour again", style: .header)]
        for binding in Self.bindings {
            let scope = binding.panes.map { " (" + $0.map(\.title).sorted().joined(separator: ", ") + ")" } ?? ""
            rows.append(Row("  \(binding.keyNames.padding(toLength: 14, withPad: " ", startingAt: 0)) \(binding.help)\(scope)"))
            if let reason = binding.disabledReason(self) {
                rows.append(Row("                 now: \(reason)", style: .dim))
            }
        }
        rows.append(Row("  Esc            back, close, clear the filter"))
        rows.append(Row(""))
        rows.append(Row("Esc or q closes this help", style: .dim))
        return rows
    }

    func explainRows(_ userID: String, plan: String?) -> [Row] {
        guard let user = tenant.user(id: userID), let facts = try? tenant.provenance(of: user, plan: plan) else {
            return [Row("The user is no longer in the tenant", style: .dim)]
        }
        return ReportText.provenance(facts).map { Row($0) }
    }

    /// `:messages`: every message of this session, oldest first, wrapped so none is cut.
    func messageRows(width: Int) -> [Row] {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        var rows = [Row("Messages of this session (oldest first)", style: .header)]
        for logged in messageLog {
            let style: StyleToken = logged.message.level == .info ? .text : .error
            let text = "\(formatter.string(from: logged.time))  \(logged.message.level.rawValue)\(logged.message.text)"
            // Wrapped by terminal columns at spaces, the pieces after the first indented under
            // the text, so no part is cut.
            let pieces = TextWrapping.wrap(text, width: max(20, width))
            for (index, piece) in pieces.enumerated() {
                rows.append(Row(index == 0 ? piece : "          " + piece.drop { $0 == " " }, style: style))
            }
        }
        if messageLog.isEmpty { rows.append(Row("No messages yet", style: .dim)) }
        return rows
    }

    func auditRows() -> [Row] {
        let records = (try? store.audit()) ?? []
        let formatter = ISO8601DateFormatter()
        var rows = [Row("Audit log (newest first)", style: .header)]
        for record in records.reversed().prefix(500) {
            let style: StyleToken = record.result == "success" ? .text : .error
            rows.append(Row("\(formatter.string(from: record.time))  \(record.actor.name)  \(record.activity)  \(record.target)", style: style))
            if !record.detail.isEmpty { rows.append(Row("    \(record.detail)", style: .dim)) }
        }
        if records.isEmpty { rows.append(Row("No changes recorded yet", style: .dim)) }
        return rows
    }
}
