import TerminalKit
import Testing

@Suite("Frames and untrusted text")
struct FrameTests {
    @Test("escape sequences in text render inert")
    func escapeSequencesAreInert() {
        var frame = Frame(size: TerminalSize(columns: 30, rows: 1))
        frame.put("Eve\u{1b}[2J\u{7}", column: 0, row: 0)
        #expect(frame.lines == ["Eve␛[2J␇"])
        #expect(!frame.cells.contains { $0.character == "\u{1b}" })
    }

    @Test(
        "an emoji ZWJ sequence or skin tone takes the cells its emoji take, so nothing after it moves",
        arguments: [
            ("👩\u{200D}👩\u{200D}👧\u{200D}👦 x", 4 * 2 + 2), ("👍🏽 x", 2 + 2 + 2), ("🏳️\u{200D}🌈 x", 1 + 2 + 2), ("ab x", 4),
        ])
    func emojiSequences(text: String, cells: Int) {
        var frame = Frame(size: TerminalSize(columns: 20, rows: 1))
        #expect(frame.put(text, column: 0, row: 0) == cells)
        #expect(CellWidth.of(text) == cells)
        #expect(frame.text(row: 0).hasSuffix("x" + String(repeating: " ", count: 20 - cells)))
    }

    @Test("bidi overrides and C1 controls become placeholders")
    func formatCharacters() {
        #expect(TextSanitizer.inert("a\u{202E}b\u{9B}c") == "a\u{FFFD}b\u{FFFD}c")
        #expect(TextSanitizer.inert("Grüße 東京") == "Grüße 東京")
        // Harmless format characters stay: ZWNJ in a Persian name, ZWJ in an emoji sequence,
        // the word joiner; what reorders or breaks lines does not.
        for kept in ["می\u{200C}خواهم", "👩\u{200D}💻", "a\u{2060}b", "Zoë\u{00AD}"] { #expect(TextSanitizer.inert(kept) == kept) }
        for scalar in ["\u{200E}", "\u{200F}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{061C}", "\u{2028}", "\u{2029}", "\u{206E}"] {
            #expect(TextSanitizer.inert("a\(scalar)b") == "a\u{FFFD}b", "\(scalar.unicodeScalars.first!.value)")
        }
    }

    @Test("wide characters take two cells and are clipped by cells, not characters")
    func wideCharacters() {
        var frame = Frame(size: TerminalSize(columns: 5, rows: 1))
        let used = frame.put("東京都", column: 0, row: 0)
        #expect(used == 4)
        #expect(frame.text(row: 0) == "東京 ")
        #expect(CellWidth.of("e\u{301}") == 1)
    }

    @Test("text is clipped to the given width")
    func clipping() {
        var frame = Frame(size: TerminalSize(columns: 10, rows: 2))
        frame.put("abcdefghijkl", column: 2, row: 1, width: 4)
        #expect(frame.lines == ["", "  abcd"])
    }
}
