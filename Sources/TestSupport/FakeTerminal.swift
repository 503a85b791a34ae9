import TerminalKit

/// An in-memory terminal: queued events in, presented frames kept for assertions.
public final class FakeTerminal: Terminal {
    public var size: TerminalSize
    public var supportsUnicode: Bool
    public var events: [TerminalEvent]
    public private(set) var frames: [Frame] = []

    public init(columns: Int = 100, rows: Int = 30, unicode: Bool = true, events: [TerminalEvent] = []) {
        size = TerminalSize(columns: columns, rows: rows)
        supportsUnicode = unicode
        self.events = events
    }

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    public func present(_ frame: Frame) { frames.append(frame) }

    public private(set) var themes: [Theme] = []
    public func setTheme(_ theme: Theme) { themes.append(theme) }

    /// The text of the last frame, rows right-trimmed.
    public var screen: [String] { frames.last?.lines ?? [] }
}
