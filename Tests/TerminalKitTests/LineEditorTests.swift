import TerminalKit
import Testing

@Suite("Line editing")
struct LineEditorTests {
    @Test(
        "cursor keys, Home/End and the readline keys edit where the cursor is",
        arguments: [
            // (typed text, keys, expected text, expected cursor)
            ("user meg", [Key.home, .delete], "ser meg", 0),
            ("user meg", [.left, .left, .left, .character("X")], "user Xmeg", 6),
            ("user meg", [.control("a"), .right, .control("k")], "u", 1),
            ("user meg", [.left, .control("u")], "g", 0),
            ("user.city -eq  ", [.control("w")], "user.city ", 10),
            ("a b c", [.control("w"), .control("w")], "a ", 2),
            ("abc", [.home, .backspace, .end, .backspace], "ab", 2),
            ("abc", [.control("a"), .control("e"), .character("d")], "abcd", 4),
        ])
    func editing(text: String, keys: [Key], expected: String, cursor: Int) {
        var line = LineEditor(text)
        for key in keys {
            let edited = line.apply(key)
            #expect(edited)
        }
        #expect(line.text == expected)
        #expect(line.cursor == cursor)
    }

    @Test("keys that do not edit are left to the caller")
    func notEditing() {
        var line = LineEditor("x")
        for key in [Key.enter, .escape, .tab, .up, .down] {
            let edited = line.apply(key)
            #expect(!edited)
        }
        #expect(line.text == "x")
    }

    @Test("a completed word replaces what was typed before the cursor")
    func completion() {
        var line = LineEditor("user.dep -eq")
        for _ in 0..<4 { line.apply(.left) }
        line.replaceBeforeCursor(3, with: "department")
        #expect(line.text == "user.department -eq")
        #expect(line.beforeCursor == "user.department")
    }
}
