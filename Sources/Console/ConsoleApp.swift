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
    public var glyphs: Glyphs
    /// Rows of the last drawn list panes, for paging.
    var lastSize = TerminalSize(columns: 100, rows: 30)
    private var lastRefresh = Date.distantPast
    private var lastAutomaticFailure = Date.distantPast
    /// Whether q has warned about staged changes once (a second q quits).
    var quitWarned = false
    var background: BackgroundProcessing?
    /// Every message the status line has shown, oldest first (`:messages`), at most 500.
    public private(set) var messageLog: [LoggedMessage] = []
    /// A refusal or error in the status line stays until the next key: progress lines and
    /// refreshes don't overwrite it.
    var statusHeld = false
    /// Whether a background run is going (the loop then wakes ten times a second).
    public var isProcessing: Bool { background?.isRunning ?? false }

    public init(
        loaded: LoadedState, store: StateStore, actor: String, roles: Set<DirectoryRole>?, theme: Theme,
        themeSearchPath: [String] = [], unicode: Bool = true
    ) {
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
        if key == .control("c") { return .quit }
        // The too-small screen shows nothing to act on: keys there would change the tenant
        // unseen. It says "q quits", and that is all that works.
        if lastSize.columns < Screen.minimum.columns || lastSize.rows < Screen.minimum.rows {
            return key == .character("q") ? .quit : .none
        }
        // A held refusal is read by now: the next key clears it.
        if statusHeld { state.status = nil }
        statusHeld = false
        switch state.mode {
        case .filter: return handleFilterKey(key)
        case .editRule(let groupID): return handleRuleKey(key, groupID: groupID)
        case .confirmRule(let groupID): return handleConfirmKey(key, groupID: groupID)
        case .ruleConflict(let groupID): return handleConflictKey(key, groupID: groupID)
        case .confirmPlans(let groupID): return handleConfirmPlansKey(key, groupID: groupID)
        case .confirmUndo: return handleConfirmUndoKey(key)
        case .command: return handleCommandKey(key)
        case .tour(let step): return handleTourKey(key, step: step)
        case .help where key == .character("t"):
            return startTour()
        case .help, .audit, .report, .explain, .messages:
            if key == .escape || key == .character("q") || key == .character("?") {
                state.mode = .browse
                return .redraw
            }
            return scrollDetail(key)
        case .userDetail:
            if key == .escape || key == .character("q") {
                state.mode = .browse
                return .redraw
            }
            return scrollDetail(key)
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

    private func scrollDetail(_ key: Key) -> Reaction {
        switch key {
        case .character("j"), .down: state.detailOffset += 1
        case .character("k"), .up: state.detailOffset = max(0, state.detailOffset - 1)
        case .pageDown: state.detailOffset += pageSize
        case .pageUp: state.detailOffset = max(0, state.detailOffset - pageSize)
        case .character("g"), .home: state.detailOffset = 0
        default: return .none
        }
        return .redraw
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
            refreshNow()
            let summary = job.progress.snapshot.summary ?? "processing done"
            if summary.hasPrefix("processing failed") { lastAutomaticFailure = now }
            if summary != "nothing left to process" { say(.info, summary) }
            // What the admin confirmed during the run goes in now, in order.
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
            say(.info, announcement(after: before))
            pruneStaged()
            // The group the Licences pane follows may be gone (deleted by another admin).
            if let id = state.selectedGroupID, tenant.group(id: id) == nil {
                state.selectedGroupID = selectedRow(.groups)?.id ?? tenant.groups.first?.id
            }
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
        say(.info, state.processingPaused
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

    var pageSize: Int { max(1, Screen.layout(lastSize).pane(state.focus).height - 2) }

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

    /// The Licences pane follows the selected group.
    func followSelection() {
        guard state.focus == .groups else { return }
        let rows = rows(for: .groups)
        let index = state[.groups].selection
        if rows.indices.contains(index), let id = rows[index].id, id != state.selectedGroupID {
            state.selectedGroupID = id
            state[.licences] = ListState()
        }
    }

    func cycleFocus(by delta: Int) -> Reaction {
        let all = Pane.allCases
        let index = all.firstIndex(of: state.focus)!
        state.focus = all[(index + delta + all.count) % all.count]
        return .redraw
    }

    func drillIn() -> Reaction {
        let rows = rows(for: state.focus)
        let index = state[state.focus].selection
        guard rows.indices.contains(index), let id = rows[index].id else { return .none }
        switch state.focus {
        case .users:
            state.mode = .userDetail(id)
            state.detailOffset = 0
        case .groups:
            state.selectedGroupID = id
            state.focus = .licences
            state[.licences] = ListState()
        default: break
        }
        return .redraw
    }

    func selectedRow(_ pane: Pane) -> Row? {
        let rows = rows(for: pane)
        let index = state[pane].selection
        return rows.indices.contains(index) ? rows[index] : nil
    }
}
