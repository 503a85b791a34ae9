import CNCurses
import Foundation
import TerminalKit

/// The only code that calls ncurses. Turns frames into curses calls and lets ncurses send
/// only what changed (`erase` + `wnoutrefresh` + `doupdate`, never `clear` per frame).
/// Use from one thread: ncurses is not thread-safe.
public final class CursesTerminal: Terminal {
    private let window: UnsafeMutablePointer<WINDOW>
    public let supportsUnicode: Bool
    private var pairs: [StyleToken: Int16] = [:]
    private var attributes: [StyleToken: attr_t] = [:]

    /// Starts curses on the controlling terminal. `setlocale` comes first so ncursesw
    /// sends UTF-8.
    public init(theme: Theme) {
        _ = ld_set_locale_from_environment()
        supportsUnicode = ld_locale_is_utf8() != 0
        // Honour an ESCDELAY the admin set; otherwise Esc should act within ~50 ms (100 over SSH).
        if ProcessInfo.processInfo.environment["ESCDELAY"] == nil {
            set_escdelay(ProcessInfo.processInfo.environment["SSH_TTY"] == nil ? 50 : 100)
        }
        ld_unblock_terminal_signals()
        initscr()
        window = ld_stdscr()!
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        setTheme(theme)
    }

    deinit {
        endwin()
    }

    /// One colour pair per style token; attributes only when the theme or terminal has no colour.
    public func setTheme(_ theme: Theme) {
        pairs = [:]
        if theme.usesColor && has_colors() {
            for (index, token) in StyleToken.allCases.enumerated() {
                let style = theme.style(token)
                init_pair(Int16(index + 1), style.foreground.number, style.background.number)
                pairs[token] = Int16(index + 1)
            }
        }
        attributes = [:]
        for token in StyleToken.allCases { attributes[token] = CursesPalette.attributes(theme.style(token)) }
    }

    public var size: TerminalSize {
        TerminalSize(columns: Int(ld_getmaxx(window)), rows: Int(ld_getmaxy(window)))
    }

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        wtimeout(window, Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            if Int32(character) == KEY_RESIZE { return .resize(size) }
            return CursesKeys.key(forCode: Int32(character)).map(TerminalEvent.key)
        }
        return CursesKeys.key(forCharacter: UInt32(character)).map(TerminalEvent.key)
    }

    public func present(_ frame: Frame) {
        werase(window)
        let rows = min(frame.size.rows, size.rows)
        let columns = min(frame.size.columns, size.columns)
        for row in 0..<rows {
            var column = 0
            while column < columns {
                let style = frame[column, row].style
                var run: [wchar_t] = []
                let start = column
                while column < columns, frame[column, row].style == style {
                    let cell = frame[column, row]
                    if !cell.isContinuation {
                        // Without a UTF-8 locale, ncurses would show nothing for non-ASCII text.
                        let wide = column + 1 < columns && frame[column + 1, row].isContinuation
                        let text = supportsUnicode ? String(cell.character) : ASCIIFallback.text(for: cell.character, cells: wide ? 2 : 1)
                        for scalar in text.unicodeScalars { run.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    column += 1
                }
                // The bottom-right cell can't be written without scrolling: leave it out.
                if row == rows - 1 && column == columns, !run.isEmpty { run.removeLast() }
                run.append(0)
                _ = ld_put_text(window, Int32(row), Int32(start), run, Int32(run.count - 1), attributes[style] ?? 0, pairs[style] ?? 0)
            }
        }
        if let cursor = frame.cursor { wmove(window, Int32(cursor.row), Int32(cursor.column)) }
        wnoutrefresh(window)
        doupdate()
    }
}
