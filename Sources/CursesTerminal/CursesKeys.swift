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

/// Curses attributes for a theme style.
enum CursesPalette {
    static func attributes(_ style: TokenStyle) -> attr_t {
        var value = ld_a_normal()
        if style.bold { value |= ld_a_bold() }
        if style.reverse { value |= ld_a_reverse() }
        if style.underline { value |= ld_a_underline() }
        if style.dim { value |= ld_a_dim() }
        return value
    }
}
