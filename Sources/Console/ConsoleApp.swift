import Foundation
import LicenseModel
import LicenseStore
import TerminalKit

/// What handling an event asks the loop to do (htop's reaction, DESIGN.md).
public enum Reaction: Equatable, Sendable {
    case none
    case redraw
    case quit
}

/// The console: its state, and synchronous, deterministic event handling, so screen tests
/// drive it directly with no sleeps. Every change goes through the store's one commit path.
public final class ConsoleApp {
    public internal(set) var loaded: LoadedState {
        didSet { if oldValue.sequence != loaded.sequence { rowCache.generation += 1 } }
    }
    /// List rows kept between frames (see `RowCache`).
    let rowCache = RowCache()
    public var state = ConsoleState()
    public let store: StateStore
    let actor: String
    let roles: Set<DirectoryRole>?
    public internal(set) var theme: Theme
    /// Set when `:theme` picked a new one; the loop hands it to the terminal.
    public internal(set) var themeChanged = false
    let themeSearchPath: [String]
    /// What this admin's consoles remember: theme, histories (their own config folder).
    let memory: ConsoleMemory
    public var glyphs: Glyphs
    /// The size of the last frame, for paging.
    var lastSize = TerminalSize(columns: 100, rows: 30)
    /// The detail view of the frame being drawn, made once by `settle` for `Screen.render`.
    var preparedOverlay: Overlay?
    private var lastRefresh = Date.distantPast
    private var lastAutomaticFailure = Date.distantPast
    /// The last announcement of another admin's change, and when.
    var lastAnnouncement: (time: Date, text: String)?
    /// Whether q has warned about staged changes once (a second q quits).
    var quitWarned = false
    var background: BackgroundProcessing?
    /// Every message the status line has shown, oldest first (`:messages`), at most 500.
    public private(set) var messageLog: [LoggedMessage] = []
    /// A refusal or error in the status line stays until the next key: progress lines and
    /// refreshes don't overwrite it.
    var statusHeld = false
    /// Whether a preview is waiting for y or n (the loop shows it before taking type-ahead).
    public var isConfirming: Bool {
        switch state.mode {
        case .confirmPlans, .confirmRule, .confirmUndo, .confirmChange, .ruleConflict: true
        default: false
        }
    }
    /// Whether a background run is going (the loop then wakes ten times a second).
    public var isProcessing: Bool { background?.isRunning ?? false }

    public init(
        loaded: LoadedState, store: StateStore, actor: String, roles: Set<DirectoryRole>?, theme: Theme,
        themeSearchPath: [String] = [], unicode: Bool = true, memory: ConsoleMemory = ConsoleMemory(path: nil)
    ) {
        self.memory = memory
        self.loaded = loaded
        self.store = store
        self.actor = actor
        self.roles = roles
        self.theme = theme
        self.themeSearchPath = themeSearchPath
        glyphs = unicode ? .unicode : .ascii
        state.readOnly = !store.isWritable
        state.selectedGroupID = loaded.tenant.groups.first?.id
        if !loaded.notices.isEmpty { say(.warn, loaded.notices.joined(separator: "; ")) }
        if let problem = memory.problem { say(.warn, problem) }
    }

    public var tenant: Tenant { loaded.tenant }
    var presentation: Presentation { Presentation(tenant: tenant, glyphs: glyphs) }

    // MARK: - Events

    public func handle(_ event: TerminalEvent) -> Reaction {
        switch event {
        case .resize(let size):
            lastSize = size
            return .redraw
        case .key(let key):
            return handle(key)
        }
    }

    private func handle(_ key: Key) -> Reaction {
        let reaction = react(to: key)
        // Whatever moved the Groups selection, the panes that follow it follow.
        if state.mode == .browse || state.mode == .filter { followSelection() }
        return reaction
    }

    private func react(to key: Key) -> Reaction {
        if key == .control("c") { return quitUnlessStaged(again: "Ctrl-C") }
        state.completionHint = nil
        // The too-small screen shows nothing to act on: keys there would change the tenant
        // unseen. It says "q quits", and that is all that works (with a warning first when
        // something unsaved would go).
        if lastSize.columns < Screen.minimum.columns || lastSize.rows < Screen.minimum.rows {
            return key == .character("q") ? quitUnlessStaged() : .none
        }
        // A held refusal is read by now: the next key clears it.
        if statusHeld { state.status = nil }
        statusHeld = false
        switch state.mode {
        case .filter: return handleFilterKey(key)
        case .editRule(let groupID): return handleRuleKey(key, groupID: groupID)
        // A preview's own keys first (y, n, Esc); the rest move in it.
        case .confirmRule(let groupID) where !state.detailSearchTyping:
            let reaction = handleConfirmKey(key, groupID: groupID)
            return reaction == .none ? handleDetailKey(key) : reaction
        case .ruleConflict(let groupID) where !state.detailSearchTyping:
            let reaction = handleConflictKey(key, groupID: groupID)
            return reaction == .none ? handleDetailKey(key) : reaction
        case .confirmPlans(let groupID) where !state.detailSearchTyping:
            let reaction = handleConfirmPlansKey(key, groupID: groupID)
            return reaction == .none ? handleDetailKey(key) : reaction
        case .confirmUndo where !state.detailSearchTyping:
            let reaction = handleConfirmUndoKey(key)
            return reaction == .none ? handleDetailKey(key) : reaction
        case .confirmChange where !state.detailSearchTyping:
            let reaction = handleConfirmChangeKey(key)
            return reaction == .none ? handleDetailKey(key) : reaction
        case .confirmRule, .ruleConflict, .confirmPlans, .confirmUndo, .confirmChange: return handleDetailKey(key)
        case .command: return handleCommandKey(key)
        case .tour(let step): return handleTourKey(key, step: step)
        case .help where key == .character("t") && !state.detailSearchTyping:
            return startTour()
        case .help, .audit, .report, .explain, .messages, .userDetail, .pickUser:
            if !state.detailSearchTyping, key == .escape || key == .character("q") || (key == .character("?") && state.mode == .help) {
                state.mode = .browse
                return .redraw
            }
            if !state.detailSearchTyping, case .userDetail(let id) = state.mode {
                let reaction = handleUserViewKey(key, userID: id)
                if reaction != .none { return reaction }
            }
            return handleDetailKey(key)
        case .browse:
            if key == .escape, !state[state.focus].filter.isEmpty {
                state[state.focus].filter = ""
                return .redraw
            }
            if case .character(let c) = key, let number = c.wholeNumberValue, let pane = Pane(rawValue: number) {
                state.focus = pane
                return .redraw
            }
            guard let binding = Self.bindings.first(where: { $0.keys.contains(key) }) else { return .none }
            if let panes = binding.panes, !panes.contains(state.focus) {
                say(.warn, "\(binding.keyNames) \(binding.help) — in the \(panes.map(\.title).sorted().joined(separator: " or ")) pane")
                return .redraw
            }
            if let reason = binding.disabledReason(self) {
                say(.warn, reason)
                return .redraw
            }
            return binding.action(self)
        }
    }

    /// Called by the loop when no key came: shows background progress, takes a finished run's
    /// result, and picks up other admins' changes (within a second).
    public func tick(now: Date = Date()) -> Reaction {
        if let job = background {
            if job.isRunning {
                if let text = progressText { show(text) }
                return .redraw
            }
            background = nil
            lastRefresh = .distantPast
            // The run's own state, not a replay of it; anything journaled since comes after.
            if let result = job.result, result.sequence >= loaded.sequence { loaded = result }
            refreshNow()
            let summary = job.progress.snapshot.summary ?? "processing done"
            if summary.hasPrefix("processing failed") { lastAutomaticFailure = now }
            if summary != "nothing left to process" {
                // Another admin's change announced a moment ago stays in view beside the result.
                if let last = lastAnnouncement, now.timeIntervalSince(last.time) < 3, state.status?.text == last.text {
                    say(.info, last.text + " · " + summary)
                } else {
                    say(.info, summary)
                }
            }
            // What the admin confirmed during the run goes in now, in order.
            if let waiting = state.waitingRule {
                state.waitingRule = nil
                saveRule(waiting.rule, groupID: waiting.groupID, basedOn: waiting.base)
            }
            if state.applyWhenIdle, let groupID = state.stagedGroupID {
                pruneStaged()
                applyStaged(groupID: groupID)
            }
            return .redraw
        }
        guard now.timeIntervalSince(lastRefresh) >= 1 else { return .none }
        lastRefresh = now
        let before = loaded.sequence
        var reaction = Reaction.none
        if refreshNow(), loaded.sequence != before {
            let words = announcement(after: before)
            say(.info, words)
            lastAnnouncement = (now, words)
            pruneStaged()
            // The group the Licences pane follows may be gone (deleted by another admin): the
            // panes that follow go on following whatever the Groups selection is now.
            if let id = state.selectedGroupID, tenant.group(id: id) == nil {
                state.selectedGroupID = nil
            }
            followSelection()
            reaction = .redraw
        }
        // Queued work runs without being asked, as in Entra: whoever queued it (this console,
        // the command line, another admin). Only one console gets the lock for it at a time.
        if shouldProcessAutomatically(now: now) {
            startProcessing()
            reaction = .redraw
        }
        return reaction
    }

    /// Whether to start a processing run on this tick: there is work, the admin has not paused
    /// processing, this admin may process, and the last automatic run did not just fail.
    func shouldProcessAutomatically(now: Date) -> Bool {
        guard !state.processingPaused, !state.readOnly, background == nil, tenant.hasRunnableWork else { return false }
        if let roles, !TenantChange.processPending.isAllowed(for: roles) { return false }
        return now.timeIntervalSince(lastAutomaticFailure) >= 30
    }

    /// p: stop or resume processing queued work from this console.
    func toggleProcessingPause() -> Reaction {
        state.processingPaused.toggle()
        say(
            .info,
            state.processingPaused
                ? "processing paused: queued work waits (a run already going finishes); p resumes"
                : "processing resumed: queued work runs")
        return .redraw
    }

    /// Another admin's change in words: "alice: E3 All: Microsoft Forms (Plan E3) on".
    func announcement(after sequence: Int) -> String {
        guard let entries = try? store.changes(after: sequence), let last = entries.last else {
            return "updated: another admin's change landed (journal \(loaded.sequence))"
        }
        let more = entries.count > 1 ? " (and \(entries.count - 1) more)" : ""
        return "\(last.context.actor): " + ChangeWords.describe(last, in: tenant) + more
    }

    @discardableResult
    func refreshNow() -> Bool {
        do { return try store.refresh(&loaded, waiting: false) } catch {
            say(.error, "could not read the state: \(error)")
            return false
        }
    }

    func say(_ level: StatusMessage.Level, _ text: String) {
        // An info line between keys (a refresh, a finished run) never hides a held refusal.
        if level != .info || !statusHeld { state.status = StatusMessage(level: level, text: text) }
        messageLog.append(LoggedMessage(time: Date(), message: StatusMessage(level: level, text: text)))
        if messageLog.count > 500 { messageLog.removeFirst(messageLog.count - 500) }
        if level != .info { statusHeld = true }
    }

    /// A passing line (progress) in the status bar: not logged, and never over a held message.
    func show(_ text: String) {
        guard !statusHeld else { return }
        state.status = StatusMessage(level: .info, text: text)
    }

    // MARK: - Lists

    var pageSize: Int { max(1, Screen.layout(lastSize, focus: state.focus, zoom: state.zoom).pane(state.focus).height - 3) }

    func move(by delta: Int) -> Reaction {
        let count = rows(for: state.focus).count
        var list = state[state.focus]
        list.selection = max(0, min(count - 1, list.selection + delta))
        state[state.focus] = list
        followSelection()
        return .redraw
    }

    func move(to index: Int) -> Reaction {
        let count = rows(for: state.focus).count
        state[state.focus].selection = max(0, min(count - 1, index))
        followSelection()
        return .redraw
    }

    /// The panes that follow the Groups pane (Licences, Members) show its selected group,
    /// whatever moved the selection: a key, a filter, a sort, `:group`, another admin's change.
    /// Called after every key and refresh.
    func followSelection() {
        let rows = rows(for: .groups)
        guard !rows.isEmpty else { return }
        let index = max(0, min(rows.count - 1, state[.groups].selection))
        if let id = rows[index].groupID, id != state.selectedGroupID {
            state.selectedGroupID = id
            state[.licences] = ListState(filter: state[.licences].filter, sort: state[.licences].sort)
            state[.members] = ListState(filter: state[.members].filter, sort: state[.members].sort)
        }
    }

    func cycleFocus(by delta: Int) -> Reaction {
        let all = Pane.allCases
        let index = all.firstIndex(of: state.focus)!
        state.focus = all[(index + delta + all.count) % all.count]
        return .redraw
    }

    /// Enter: what the selected row stands for, as the focused pane opens it.
    func drillIn() -> Reaction {
        guard let row = selectedRow(state.focus) else { return .none }
        return PaneRegistry.pane(state.focus).open(row, in: self)
    }

    /// Goes to what a row stands for: a user's detail, a group's licences.
    func open(_ target: RowTarget?) -> Reaction {
        switch target {
        case .user(let id):
            state.mode = .userDetail(id)
            state.detailOffset = 0
            state.detailSelection = nil
        case .group(let id):
            select(groupID: id)
        case .plan, nil:
            return .none
        }
        return .redraw
    }

    /// Shows a group in the Groups pane (clearing a filter that hides it) and its licences.
    func select(groupID: String) {
        state.mode = .browse
        var rows = rows(for: .groups)
        if rows.firstIndex(where: { $0.groupID == groupID }) == nil {
            state[.groups].filter = ""
            rows = self.rows(for: .groups)
        }
        state[.groups].selection = rows.firstIndex { $0.groupID == groupID } ?? 0
        state.focus = .groups
        followSelection()
    }

    func selectedRow(_ pane: Pane) -> Row? {
        let rows = rows(for: pane)
        let index = state[pane].selection
        return rows.indices.contains(index) ? rows[index] : nil
    }
}
