import CNCurses
import TerminalKit

/// Translates curses key codes and characters into `Key`s.
enum CursesKeys {
    static func key(forCode code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_ENTER: .enter
        case KEY_BTAB: .backTab
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        default:
            (1...12).first { ld_key_f(Int32($0)) == code }.map { Key.function($0) }
        }
    }

    static func key(forCharacter value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}

/// Colours for style tokens on a 16-colour terminal; -1 is the terminal's own colour.
enum CursesPalette {
    static func colors(for token: StyleToken) -> (Int16, Int16) {
        switch token {
        case .header: (Int16(COLOR_WHITE), Int16(COLOR_BLUE))
        case .borderFocus: (Int16(COLOR_CYAN), -1)
        case .selection: (Int16(COLOR_BLACK), Int16(COLOR_CYAN))
        case .toggleOn: (Int16(COLOR_GREEN), -1)
        case .pending: (Int16(COLOR_YELLOW), -1)
        case .error, .statusError: (Int16(COLOR_RED), -1)
        case .statusWarn: (Int16(COLOR_YELLOW), -1)
        case .footer: (Int16(COLOR_BLACK), Int16(COLOR_WHITE))
        default: (-1, -1)
        }
    }

    static func attributes(for token: StyleToken, colors: Bool) -> attr_t {
        switch token {
        case .header, .borderFocus, .error, .statusError: ld_a_bold()
        case .selection: colors ? ld_a_normal() : ld_a_reverse()
        case .footer: colors ? ld_a_normal() : ld_a_reverse()
        case .dim, .toggleOff: ld_a_dim()
        default: ld_a_normal()
        }
    }
}
