/// A terminal size in cells.
public struct TerminalSize: Hashable, Sendable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }
}

/// A key as the console sees it, whatever the terminal sent.
public enum Key: Hashable, Sendable {
    case character(Character)
    case control(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
}

/// What a terminal reports.
public enum TerminalEvent: Hashable, Sendable {
    case key(Key)
    case resize(TerminalSize)
}

/// The seam between the console and a real or fake terminal (DESIGN.md, key shapes).
public protocol Terminal: AnyObject {
    var size: TerminalSize { get }
    /// Whether box drawing and tick glyphs can be sent (a UTF-8 locale).
    var supportsUnicode: Bool { get }
    /// The next key or resize, or nil when `timeoutMilliseconds` pass with none.
    func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent?
    /// Shows a frame; only what changed need reach the terminal.
    func present(_ frame: Frame)
    /// Switches colours and attributes to a theme.
    func setTheme(_ theme: Theme)
}
