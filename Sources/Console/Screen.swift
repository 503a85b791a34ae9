import LicenseModel
import TerminalKit

/// A rectangle of the screen.
public struct Rect: Equatable, Sendable {
    public var column, row, width, height: Int
}

/// Where everything goes for a terminal size: a pure function, testable as data.
public struct Layout: Equatable, Sendable {
    public var header: Rect
    public var panes: [Pane: Rect]
    public var status: Rect
    public var footer: Rect
    public func pane(_ pane: Pane) -> Rect { panes[pane]! }
}

/// Draws the console into a frame.
public enum Screen {
    public static let minimum = TerminalSize(columns: 70, rows: 18)

    public static func layout(_ size: TerminalSize) -> Layout {
        let body = max(0, size.rows - 3)
        let left = size.columns * 2 / 5
        let right = size.columns - left
        let upperLeft = body / 2
        let upperRight = body * 3 / 5
        return Layout(
            header: Rect(column: 0, row: 0, width: size.columns, height: 1),
            panes: [
                .users: Rect(column: 0, row: 1, width: left, height: upperLeft),
                .groups: Rect(column: 0, row: 1 + upperLeft, width: left, height: body - upperLeft),
                .licences: Rect(column: left, row: 1, width: right, height: upperRight),
                .pending: Rect(column: left, row: 1 + upperRight, width: right, height: body - upperRight),
            ],
            status: Rect(column: 0, row: size.rows - 2, width: size.columns, height: 1),
            footer: Rect(column: 0, row: size.rows - 1, width: size.columns, height: 1))
    }

    public static func render(_ app: ConsoleApp, size: TerminalSize) -> Frame {
        app.lastSize = size
        var frame = Frame(size: size)
        guard size.columns >= minimum.columns, size.rows >= minimum.rows else {
            frame.put("Terminal too small", column: 0, row: 0, style: .statusError)
            frame.put("need \(minimum.columns)×\(minimum.rows), have \(size.columns)×\(size.rows)", column: 0, row: 1)
            frame.put("q quits", column: 0, row: 2)
            return frame
        }
        let layout = layout(size)
        drawHeader(app, &frame, layout.header)
        switch app.state.mode {
        case .help: drawOverlay("Help", app.helpRows(), app, &frame, size)
        case .audit: drawOverlay("Audit", app.auditRows(), app, &frame, size)
        case .messages: drawOverlay("Messages", app.messageRows(width: size.columns - 6), app, &frame, size)
        case .report(let report): drawOverlay(report.title, ReportText.lines(report, tenant: app.tenant).map { Row($0) }, app, &frame, size)
        case .explain(let id, let plan): drawOverlay("Why: licences and plans", app.explainRows(id, plan: plan), app, &frame, size)
        case .userDetail(let id): drawOverlay("User", app.presentation.userDetail(id), app, &frame, size)
        case .editRule(let id): drawOverlay("Edit rule: \(app.tenant.group(id: id)?.displayName ?? id)", app.ruleEditorRows(), app, &frame, size)
        case .confirmRule(let id): drawOverlay("Save rule of \(app.tenant.group(id: id)?.displayName ?? id)?", app.confirmRows(), app, &frame, size)
        case .confirmPlans(let id):
            drawOverlay("Apply \(app.state.staged.count) plan changes to \(app.tenant.group(id: id)?.displayName ?? id)?", app.planPreviewRows(applies: "applies them as one change"), app, &frame, size)
        case .confirmUndo: drawOverlay("Undo your last change?", app.planPreviewRows(applies: "undoes it"), app, &frame, size)
        case .ruleConflict(let id):
            drawOverlay("Someone else changed the rule of \(app.tenant.group(id: id)?.displayName ?? id)", app.conflictRows(), app, &frame, size)
        case .tour(let step):
            for pane in Pane.allCases { drawPane(pane, app, &frame, layout.pane(pane)) }
            let width = min(size.columns - 2, 92)
            let (title, rows) = app.tourRows(step: step, width: width - 4)
            drawCard(title, rows, width: width, app, &frame, size)
        default:
            for pane in Pane.allCases { drawPane(pane, app, &frame, layout.pane(pane)) }
        }
        drawStatus(app, &frame, layout.status)
        drawFooter(app, &frame, layout.footer)
        return frame
    }

    static func drawHeader(_ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let tenant = app.tenant
        let errors = app.usersWithLicenseErrorsCount
        // What the admin must not miss comes first, before the counts that may be cut.
        var text = " LicenseDesk\(app.state.processingPaused ? " · paused (p)" : "") · \(tenant.organization.displayName) · Users \(tenant.users.count) · Groups \(tenant.groups.count) · Pending \(tenant.pending.count) · Licence errors \(errors)"
        if app.state.readOnly { text += " · READ-ONLY" }
        frame.put(text, column: 0, row: rect.row, width: rect.width, style: .header)
        frame.paint(.header, column: 0, row: rect.row, width: rect.width)
    }

    static func drawBox(_ title: String, focused: Bool, _ glyphs: Glyphs, _ frame: inout Frame, _ rect: Rect) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let style: StyleToken = focused ? .borderFocus : .border
        let inner = rect.width - 2
        frame.put(String(glyphs.topLeft) + String(repeating: glyphs.horizontal, count: inner) + String(glyphs.topRight), column: rect.column, row: rect.row, style: style)
        for row in rect.row + 1..<rect.row + rect.height - 1 {
            frame.put(String(glyphs.vertical), column: rect.column, row: row, style: style)
            frame.put(String(glyphs.vertical), column: rect.column + rect.width - 1, row: row, style: style)
        }
        frame.put(String(glyphs.bottomLeft) + String(repeating: glyphs.horizontal, count: inner) + String(glyphs.bottomRight), column: rect.column, row: rect.row + rect.height - 1, style: style)
        frame.put(" \(title) ", column: rect.column + 2, row: rect.row, width: max(0, rect.width - 4), style: style)
    }

    static func drawPane(_ pane: Pane, _ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let rows = app.rows(for: pane)
        let focused = app.state.focus == pane
        var list = app.state[pane]
        let visible = max(0, rect.height - 2)
        list.clamp(count: rows.count, height: visible)
        app.state[pane] = list
        var title = "\(pane.rawValue) \(pane.title)"
        if pane == .pending, let progress = app.progressText { title += ": \(progress)" }
        if pane == .licences, let group = app.state.selectedGroupID.flatMap({ app.tenant.group(id: $0) }) {
            title += ": \(group.displayName)"
        }
        if !list.filter.isEmpty || (app.state.mode == .filter && focused) {
            let total = pane == .users ? app.tenant.users.count : (pane == .groups ? app.tenant.groups.count : rows.count)
            title += " /\(focused && app.state.mode == .filter ? app.state.input : list.filter) \(rows.count) of \(total)"
        }
        drawBox(title, focused: focused, app.glyphs, &frame, rect)
        let width = rect.width - 2
        for (offset, row) in rows.rows(in: list.offset..<list.offset + visible).enumerated() {
            let y = rect.row + 1 + offset
            let index = list.offset + offset
            let selected = index == list.selection
            frame.put(row.text, column: rect.column + 1, row: y, width: width, style: row.style)
            if selected && focused {
                frame.paint(.selection, column: rect.column + 1, row: y, width: width)
                // The hardware cursor rests on the selected row, for screen readers.
                frame.cursor = (rect.column + 1, y)
            } else if selected {
                frame.put(">", column: rect.column + 1 + width - 1, row: y, style: .dim)
            }
        }
    }

    static func drawOverlay(_ title: String, _ rows: [Row], _ app: ConsoleApp, _ frame: inout Frame, _ size: TerminalSize) {
        let rect = Rect(column: 0, row: 1, width: size.columns, height: size.rows - 3)
        drawBox(title, focused: true, app.glyphs, &frame, rect)
        let visible = rect.height - 2
        app.state.detailOffset = max(0, min(app.state.detailOffset, max(0, rows.count - visible)))
        for (offset, row) in rows.dropFirst(app.state.detailOffset).prefix(visible).enumerated() {
            frame.put(row.text, column: 2, row: rect.row + 1 + offset, width: rect.width - 4, style: row.style)
        }
        frame.cursor = (2, rect.row + 1)
    }

    /// A box over the panes, on the half of the screen away from the focused pane, so the pane
    /// the card talks about stays in view.
    static func drawCard(_ title: String, _ rows: [Row], width: Int, _ app: ConsoleApp, _ frame: inout Frame, _ size: TerminalSize) {
        let height = min(size.rows - 4, rows.count + 2)
        let focusIsLow = layout(size).pane(app.state.focus).row > 1
        let top = focusIsLow ? 2 : size.rows - 2 - height
        let rect = Rect(column: (size.columns - width) / 2, row: top, width: width, height: height)
        for row in rect.row..<rect.row + rect.height {
            frame.put(String(repeating: " ", count: rect.width), column: rect.column, row: row, width: rect.width)
        }
        drawBox(title, focused: true, app.glyphs, &frame, rect)
        for (offset, row) in rows.prefix(rect.height - 2).enumerated() {
            frame.put(row.text, column: rect.column + 2, row: rect.row + 1 + offset, width: rect.width - 4, style: row.style)
        }
        frame.cursor = (rect.column + 2, rect.row + 1)
    }

    static func drawStatus(_ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        switch app.state.mode {
        case .command:
            frame.put(":" + app.state.input, column: 0, row: rect.row, width: rect.width)
            frame.cursor = (min(rect.width - 1, 1 + CellWidth.of(app.state.input)), rect.row)
        case .filter:
            frame.put("/" + app.state.input, column: 0, row: rect.row, width: rect.width)
        default:
            guard let status = app.state.status else { return }
            let style: StyleToken = status.level == .error ? .statusError : (status.level == .warn ? .statusWarn : .statusInfo)
            frame.put(status.level.rawValue + status.text, column: 0, row: rect.row, width: rect.width, style: style)
        }
    }

    static func drawFooter(_ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let text: String
        switch app.state.mode {
        case .help: text = " j/k scroll · t tour · Esc back · q close"
        case .audit, .userDetail, .report, .explain, .messages: text = " j/k scroll · Esc back · q close"
        case .editRule: text = " type the rule · Enter preview the impact · Esc cancel"
        case .confirmRule: text = " y save · n edit again · Esc cancel"
        case .ruleConflict: text = " e edit yours on top of theirs · d discard yours"
        case .confirmPlans: text = " y apply · n back · x drop the staged changes"
        case .confirmUndo: text = " y undo · n back"
        case .tour: text = " Enter next · ← back · Esc close the tour"
        case .filter: text = " type to filter · Enter keep · Esc clear"
        case .command: text = " :user <upn> · :group <name> · :report <name> · :explain <upn> · :theme <name> · :audit · :messages · :tour · :q · Enter run · Esc cancel"
        case .browse:
            text = " " + app.footerBindings().map { "\($0.keyNames) \($0.label)" }.joined(separator: " · ") + " · 1-4 panes"
        }
        frame.put(text, column: 0, row: rect.row, width: rect.width, style: .footer)
        frame.paint(.footer, column: 0, row: rect.row, width: rect.width)
    }
}

/// Runs the event loop on a terminal until the app says quit. Redraws only after a key, a
/// resize or a change from another admin.
public enum ConsoleLoop {
    public static func run(_ app: ConsoleApp, on terminal: any Terminal) {
        terminal.present(Screen.render(app, size: terminal.size))
        while true {
            // Ten times a second while processing runs, so progress moves; four otherwise.
            guard let event = terminal.nextEvent(timeoutMilliseconds: app.isProcessing ? 100 : 250) else {
                if app.tick() == .redraw { terminal.present(Screen.render(app, size: terminal.size)) }
                continue
            }
            let reaction = app.handle(event)
            if app.themeChanged {
                terminal.setTheme(app.theme)
                app.themeChanged = false
            }
            switch reaction {
            case .quit:
                // Let a processing run finish writing before the process goes.
                app.waitForBackgroundWork()
                return
            case .redraw: terminal.present(Screen.render(app, size: terminal.size))
            case .none: break
            }
        }
    }
}
