import TerminalKit

/// An in-memory terminal: queued events in, presented frames kept for assertions.
public final class FakeTerminal: Terminal {
    public var size: TerminalSize
    public var supportsUnicode: Bool
    /// What the admin types, in order; a nil is a pause: nothing is waiting at that moment (a
    /// loop draining type-ahead stops there), the next key comes a moment later.
    public var events: [TerminalEvent?]
    private var next = 0
    /// When the events run out, answer Ctrl-C (each time), so a loop under test ends.
    public var endWithControlC: Bool
    public private(set) var frames: [Frame] = []

    public init(columns: Int = 100, rows: Int = 30, unicode: Bool = true, events: [TerminalEvent?] = [], endWithControlC: Bool = false) {
        size = TerminalSize(columns: columns, rows: rows)
        supportsUnicode = unicode
        self.events = events
        self.endWithControlC = endWithControlC
    }

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        while next < events.count {
            let event = events[next]
            if event == nil {
                // A pause: nothing now for a caller that does not wait; a waiting one gets the key after it.
                if timeoutMilliseconds == 0 { return nil }
                next += 1
                continue
            }
            next += 1
            return event
        }
        return endWithControlC && timeoutMilliseconds > 0 ? .key(.control("c")) : nil
    }

    public func present(_ frame: Frame) { frames.append(frame) }

    public private(set) var themes: [Theme] = []
    public func setTheme(_ theme: Theme) { themes.append(theme) }

    /// The text of the last frame, rows right-trimmed.
    public var screen: [String] { frames.last?.lines ?? [] }
}
