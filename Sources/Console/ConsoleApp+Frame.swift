import TerminalKit

/// A frame in two steps, so drawing never changes state: `settle` keeps every selection and
/// scroll position in view for this size (state, changed here and by keys only), then
/// `Screen.render` reads.
extension ConsoleApp {
    /// The frame for a terminal of `size`.
    public func frame(size: TerminalSize) -> Frame {
        settle(for: size)
        return Screen.render(self, size: size)
    }

    func settle(for size: TerminalSize) {
        lastSize = size
        preparedOverlay = nil
        guard size.columns >= Screen.minimum.columns, size.rows >= Screen.minimum.rows else { return }
        if let overlay = overlay(width: size.columns - 4) {
            let visible = size.rows - 5
            state.detailOffset = max(0, min(state.detailOffset, max(0, overlay.rows.count - visible)))
            preparedOverlay = overlay
        }
        let layout = Screen.layout(size, focus: state.focus, zoom: state.zoom)
        for host in PaneRegistry.hosts {
            let pane = state.frontTab[host.id] ?? host.id
            let rect = layout.pane(pane)
            guard rect.height > 0 else { continue }
            let rows = rows(for: pane)
            var list = state[pane]
            let (_, visible) = Screen.tableShape(PaneRegistry.pane(pane), rows: rows, list: list, height: rect.height)
            list.clamp(count: rows.count, height: visible)
            state[pane] = list
        }
    }
}
