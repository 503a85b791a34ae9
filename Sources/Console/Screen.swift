import Foundation
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
    /// A pane's place; empty when zoom hides it.
    public func pane(_ pane: Pane) -> Rect { panes[pane] ?? Rect(column: 0, row: 0, width: 0, height: 0) }
}

/// Draws the console into a frame.
public enum Screen {
    public static let minimum = TerminalSize(columns: 70, rows: 18)

    /// Where each pane goes: the left column (2/5 of the width) and the right one, each
    /// shared by its panes by weight; a tab gets its host's place. Zoomed, the focused pane
    /// takes its whole column (`half`) or the whole body (`full`), and the others get nothing.
    public static func layout(_ size: TerminalSize, focus: Pane = .groups, zoom: Zoom = .normal) -> Layout {
        let body = max(0, size.rows - 3)
        let left = size.columns * 2 / 5
        var panes: [Pane: Rect] = [:]
        let focusHost = PaneRegistry.host(of: focus)
        let hosts = PaneRegistry.hosts
        for side in [PanePlacement.Side.left, .right] {
            let column = side == .left ? 0 : left
            let width = zoom == .full ? size.columns : (side == .left ? left : size.columns - left)
            var stacked = hosts.filter { $0.placement.side == side }
            if zoom != .normal {
                guard stacked.contains(where: { $0.id == focusHost }) else { continue }
                stacked = stacked.filter { $0.id == focusHost }
            }
            let weights = stacked.reduce(0) { $0 + $1.placement.weight }
            var row = 1
            for (index, pane) in stacked.enumerated() {
                let height = index == stacked.count - 1 ? 1 + body - row : body * pane.placement.weight / max(1, weights)
                let rect = Rect(column: zoom == .full ? 0 : column, row: row, width: width, height: height)
                for tab in PaneRegistry.tabs(of: pane.id) { panes[tab] = rect }
                row += height
            }
        }
        return Layout(
            header: Rect(column: 0, row: 0, width: size.columns, height: 1),
            panes: panes,
            status: Rect(column: 0, row: size.rows - 2, width: size.columns, height: 1),
            footer: Rect(column: 0, row: size.rows - 1, width: size.columns, height: 1))
    }

    /// Draws the console as it is: reads the app, never changes it (`ConsoleApp.frame(size:)`
    /// settles selections and scrolling first).
    public static func render(_ app: ConsoleApp, size: TerminalSize) -> Frame {
        var frame = Frame(size: size)
        guard size.columns >= minimum.columns, size.rows >= minimum.rows else {
            frame.put("Terminal too small", column: 0, row: 0, style: .statusError)
            frame.put("need \(minimum.columns)×\(minimum.rows), have \(size.columns)×\(size.rows)", column: 0, row: 1)
            frame.put("q quits", column: 0, row: 2)
            if let status = app.state.status, status.level != .info {
                for (index, piece) in TextWrapping.wrap(status.level.rawValue + status.text, width: max(8, size.columns)).prefix(max(0, size.rows - 3))
                    .enumerated()
                {
                    frame.put(piece, column: 0, row: 3 + index, style: .statusWarn)
                }
            }
            return frame
        }
        let layout = layout(size, focus: app.state.focus, zoom: app.state.zoom)
        drawHeader(app, &frame, layout.header)
        if let overlay = app.preparedOverlay ?? app.overlay(width: size.columns - 4) {
            drawOverlay(overlay, app, &frame, size)
        } else if case .tour(let step) = app.state.mode {
            drawPanes(app, &frame, layout)
            let width = min(size.columns - 2, 92)
            let (title, rows) = app.tourRows(step: step, width: width - 4)
            drawCard(title, rows, width: width, app, &frame, size)
        } else {
            drawPanes(app, &frame, layout)
        }
        drawStatus(app, &frame, layout.status)
        drawFooter(app, &frame, layout.footer)
        return frame
    }

    static func drawHeader(_ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let tenant = app.tenant
        let glyphs = app.glyphs
        let errors = app.usersWithLicenseErrorsCount
        // What the admin must not miss comes first, before what may be cut at 70 columns:
        // errors, paused processing, seats over what was bought, read-only; then where this is.
        var parts = [" LicenseDesk", "Licence errors \(errors)"]
        if app.state.processingPaused { parts.append("paused (p)") }
        let over = tenant.overAllocatedSkus
        if !over.isEmpty { parts.append("\(glyphs.error) seats over: " + over.map(\.skuPartNumber).joined(separator: ", ")) }
        if app.state.readOnly { parts.append("READ-ONLY") }
        parts.append(tenant.organization.displayName + (tenant.isDemo ? " (DEMO)" : ""))
        parts.append("Users \(tenant.users.count) · Groups \(tenant.groups.count) · Pending \(tenant.pending.count)")
        parts.append(shortened(app.store.directory, ellipsis: glyphs.ellipsis))
        frame.put(parts.joined(separator: " · "), column: 0, row: rect.row, width: rect.width, style: .header)
        frame.paint(.header, column: 0, row: rect.row, width: rect.width)
    }

    /// The state's folder as an admin would write it: `~` for the home, the last two parts of
    /// a long path.
    static func shortened(_ path: String, ellipsis: String) -> String {
        var path = path
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty, home != "/", path.hasPrefix(home + "/") {
            path = "~" + path.dropFirst(home.count)
        }
        let parts = path.split(separator: "/")
        return path.count > 32 && parts.count > 2 ? ellipsis + "/" + parts.suffix(2).joined(separator: "/") : path
    }

    static func drawBox(_ title: String, focused: Bool, _ glyphs: Glyphs, _ frame: inout Frame, _ rect: Rect) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let style: StyleToken = focused ? .borderFocus : .border
        let inner = rect.width - 2
        frame.put(
            String(glyphs.topLeft) + String(repeating: glyphs.horizontal, count: inner) + String(glyphs.topRight), column: rect.column, row: rect.row,
            style: style)
        for row in rect.row + 1..<rect.row + rect.height - 1 {
            frame.put(String(glyphs.vertical), column: rect.column, row: row, style: style)
            frame.put(String(glyphs.vertical), column: rect.column + rect.width - 1, row: row, style: style)
        }
        frame.put(
            String(glyphs.bottomLeft) + String(repeating: glyphs.horizontal, count: inner) + String(glyphs.bottomRight), column: rect.column,
            row: rect.row + rect.height - 1, style: style)
        frame.put(" \(title) ", column: rect.column + 2, row: rect.row, width: max(0, rect.width - 4), style: style)
    }

    /// Each place on screen shows its front tab.
    static func drawPanes(_ app: ConsoleApp, _ frame: inout Frame, _ layout: Layout) {
        for host in PaneRegistry.hosts {
            let shown = app.state.frontTab[host.id] ?? host.id
            let rect = layout.pane(shown)
            if rect.height > 0 { drawPane(shown, app, &frame, rect) }
        }
    }

    static func drawPane(_ pane: Pane, _ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let content = PaneRegistry.pane(pane)
        let rows = app.rows(for: pane)
        let focused = app.state.focus == pane
        var list = app.state[pane]
        let (table, visible) = tableShape(content, rows: rows, list: list, height: rect.height)
        list.clamp(count: rows.count, height: visible)
        drawBox(title(of: pane, app, rows: rows, list: list, focused: focused), focused: focused, app.glyphs, &frame, rect)
        let width = rect.width - 2
        let shown = rows.rows(in: list.offset..<list.offset + visible)
        let columns = content.columns
        let fitted = TableLayout(columns: columns, rows: shown, width: width)
        var y = rect.row + 1
        if table {
            frame.put(
                fitted.line(headerCells(columns, sort: list.sort), columns: columns, ellipsis: app.glyphs.ellipsis), column: rect.column + 1, row: y,
                width: width, style: .dim)
            y += 1
        }
        for (offset, row) in shown.enumerated() {
            let selected = list.offset + offset == list.selection
            let text = row.cells.isEmpty ? row.text : fitted.line(row.cells, columns: columns, ellipsis: app.glyphs.ellipsis)
            frame.put(text, column: rect.column + 1, row: y, width: width, style: row.style)
            if selected && focused {
                frame.paint(.selection, column: rect.column + 1, row: y, width: width)
                // The hardware cursor rests on the selected row, for screen readers.
                frame.cursor = (rect.column + 1, y)
            } else if selected {
                frame.put(">", column: rect.column + 1 + width - 1, row: y, style: .dim)
            }
            y += 1
        }
    }

    /// Whether a pane draws a table header (not when all it shows is a placeholder such as
    /// "Nothing pending"), and how many rows it has room for.
    static func tableShape(_ content: any ListPane, rows: RowList, list: ListState, height: Int) -> (table: Bool, visible: Int) {
        let table = content.columns.count > 1 && rows.rows(in: list.offset..<list.offset + max(1, height - 3)).contains { !$0.cells.isEmpty }
        return (table, max(0, height - 2 - (table ? 1 : 0)))
    }

    /// "2 Groups 5 of 7 /sales ↑Name" and the other tabs of the place, "· 5 Members".
    static func title(of pane: Pane, _ app: ConsoleApp, rows: RowList, list: ListState, focused: Bool) -> String {
        let content = PaneRegistry.pane(pane)
        var title = "\(pane.rawValue) \(content.title)"
        if let subtitle = content.subtitle(in: app) { title += ": \(subtitle)" }
        let total = content.total(in: app)
        let typing = focused && app.state.mode == .filter
        let filter = typing ? app.state.input : list.filter
        // "N of M": the rows shown (after a filter, errors only) of all there are.
        // Section titles and placeholders ("Nothing pending") are not rows; a long list (users)
        // is all rows and is not walked.
        let shown = rows.count > 1_000 ? rows.count : rows.rows(in: 0..<rows.count).filter { !$0.cells.isEmpty }.count
        title += " \(shown) of \(total)"
        if !filter.isEmpty || typing { title += " /\(filter)" }
        if let sort = list.sort, content.columns.indices.contains(sort.column) {
            title += " \(sort.descending ? "↓" : "↑")\(content.columns[sort.column].title)"
        }
        if let progress = content.progress(in: app) { title += " · \(progress)" }
        let tabs = PaneRegistry.tabs(of: PaneRegistry.host(of: pane)).filter { $0 != pane }
        for tab in tabs { title += " · \(tab.rawValue) \(tab.title)" }
        return title
    }

    static func headerCells(_ columns: [Column], sort: SortOrder?) -> [String] {
        columns.enumerated().map { index, column in
            guard let sort, sort.column == index else { return column.title }
            return column.title + (sort.descending ? "↓" : "↑")
        }
    }

    static func drawOverlay(_ overlay: Overlay, _ app: ConsoleApp, _ frame: inout Frame, _ size: TerminalSize) {
        let rect = Rect(column: 0, row: 1, width: size.columns, height: size.rows - 3)
        let rows = overlay.rows
        let visible = rect.height - 2
        let top = max(0, min(app.state.detailOffset, max(0, rows.count - visible)))
        var title = overlay.title
        // Where am I in a long view: "lines 21-40 of 310".
        if rows.count > visible {
            title += " · lines \(top + 1)-\(min(rows.count, top + visible)) of \(rows.count)"
        }
        drawBox(title, focused: true, app.glyphs, &frame, rect)
        let selection = overlay.selectable ? max(0, min(rows.count - 1, app.state.detailSelection ?? 0)) : nil
        frame.cursor = (2, rect.row + 1)
        for (offset, row) in rows.dropFirst(top).prefix(visible).enumerated() {
            let y = rect.row + 1 + offset
            frame.put(row.text, column: 2, row: y, width: rect.width - 4, style: row.style)
            if top + offset == selection {
                frame.paint(.selection, column: 2, row: y, width: rect.width - 4)
                frame.cursor = (2, y)
            }
            if let cursor = row.cursor {
                // The text cursor of the line being typed, as a lit cell.
                let column = 2 + CellWidth.of(String(row.text.prefix(cursor)))
                frame.paint(.selection, column: column, row: y, width: 1)
                frame.cursor = (column, y)
            }
        }
    }

    /// A box over the panes, on the half of the screen away from the focused pane, so the pane
    /// the card talks about stays in view.
    static func drawCard(_ title: String, _ rows: [Row], width: Int, _ app: ConsoleApp, _ frame: inout Frame, _ size: TerminalSize) {
        let height = min(size.rows - 4, rows.count + 2)
        let focusIsLow = layout(size, focus: app.state.focus, zoom: app.state.zoom).pane(app.state.focus).row > 1
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
        if app.state.detailSearchTyping {
            drawTypedLine("/", app, &frame, rect)
            return
        }
        switch app.state.mode {
        case .command: drawTypedLine(":", app, &frame, rect)
        case .filter: drawTypedLine("/", app, &frame, rect)
        default:
            guard let status = app.state.status else { return }
            let style: StyleToken = status.level == .error ? .statusError : (status.level == .warn ? .statusWarn : .statusInfo)
            frame.put(status.level.rawValue + status.text, column: 0, row: rect.row, width: rect.width, style: style)
        }
    }

    /// The line being typed, scrolled so the cursor stays in view, the cursor as a lit cell.
    static func drawTypedLine(_ prompt: String, _ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        let line = app.state.line
        let room = max(1, rect.width - CellWidth.of(prompt) - 1)
        // Walk back from the cursor only as far as the screen has room: one pass over what is
        // shown, however long the line.
        var start = line.cursor
        var before = 0
        while start > 0 {
            let cells = CellWidth.of(line.characters[start - 1])
            if before + cells > room { break }
            before += cells
            start -= 1
        }
        let end = min(line.characters.count, start + room * 2)
        frame.put(prompt + String(line.characters[start..<end]), column: 0, row: rect.row, width: rect.width)
        let column = min(rect.width - 1, CellWidth.of(prompt) + before)
        frame.paint(.selection, column: column, row: rect.row, width: 1)
        frame.cursor = (column, rect.row)
    }

    static func drawFooter(_ app: ConsoleApp, _ frame: inout Frame, _ rect: Rect) {
        if let hint = app.state.completionHint {
            frame.put(" " + hint, column: 0, row: rect.row, width: rect.width, style: .footer)
            frame.paint(.footer, column: 0, row: rect.row, width: rect.width)
            return
        }
        let text: String
        switch app.state.mode {
        case .help: text = " j/k scroll · G end · / find · t tour · Esc back · q close"
        case .userDetail:
            text = " j/k move · Enter open the group · R reprocess · a/d add/remove a direct licence · Space plan of a direct licence · / find · Esc back"
        case .pickUser: text = " j/k move · Enter open · / find · Esc back"
        case .audit, .report, .explain, .messages: text = " j/k scroll · PgUp/PgDn · g/G top/end · / find · n next · Esc back · q close"
        case .editRule: text = " type the rule · Tab complete · ↑/↓ history · Ctrl-A/E/U/W/K · Enter preview the impact · Esc cancel"
        case .confirmRule: text = " y save · n edit again · Esc cancel · j/k/PgDn/G scroll · / find"
        case .ruleConflict: text = " e edit yours on top of theirs · d discard yours"
        case .confirmPlans: text = " y apply · n back · x drop the staged changes · j/k/PgDn/G scroll · / find"
        case .confirmUndo: text = " y undo · n back · j/k/PgDn/G scroll · / find"
        case .confirmChange: text = " y make the change · n back · j/k/PgDn/G scroll · / find"
        case .tour: text = " Enter next · ← back · Esc close the tour"
        case .filter: text = " type to filter (=rule: a membership rule, on Enter) · ↑/↓ history · Enter keep · Esc clear"
        case .command:
            text =
                " :user <upn> · :group <name> · :report <name> · :explain <upn> · :theme <name> · :seats <sku> <n> · :audit · :messages · :tour · :q · Tab complete · Enter run · Esc cancel"
        case .browse:
            text = " " + app.footerBindings().map { "\($0.keyNames) \($0.label)" }.joined(separator: " · ") + " · 1-5 panes"
        }
        frame.put(text, column: 0, row: rect.row, width: rect.width, style: .footer)
        frame.paint(.footer, column: 0, row: rect.row, width: rect.width)
    }
}
