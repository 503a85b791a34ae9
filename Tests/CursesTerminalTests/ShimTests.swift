import CursesTerminal
import Testing

/// The shim's wrappers compile and link against ncursesw; the real screen is exercised
/// end to end in tmux (EndToEndTests).
@Suite("ncurses shim")
struct ShimTests {
    @Test("the curses terminal type links against ncursesw")
    func links() {
        let type: Any.Type = CursesTerminal.self
        #expect("\(type)" == "CursesTerminal")
    }
}
