/// Makes untrusted text safe to draw: C0 and C1 controls, DEL, bidi overrides and other
/// format characters become visible placeholders, so a display name holding `ESC[2J` shows as
/// text and never reaches the terminal as a command (`specs/persistence-security.md` §2.1).
public enum TextSanitizer {
    public static func inert(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20: out.append(Unicode.Scalar(0x2400 + scalar.value)!)  // ␀ … ␟ (␛ for ESC)
            case 0x7F: out.append("\u{2421}")  // ␡
            case 0x80..<0xA0: out.append("\u{FFFD}")
            default:
                out.append(canActOnATerminal(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    /// Format characters that reorder or break what a terminal shows: bidi embeddings,
    /// overrides, isolates and marks (Trojan Source), the deprecated shaping controls, the
    /// interlinear annotation marks, and line and paragraph separators. The harmless ones stay:
    /// ZWJ and ZWNJ (Persian and Indic names, emoji sequences), the word joiner, soft hyphens,
    /// tag characters in flag sequences.
    public static func canActOnATerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x206A...0x206F, 0xFFF9...0xFFFB, 0x2028, 0x2029: return true
        default:
            let category = scalar.properties.generalCategory
            return category == .lineSeparator || category == .paragraphSeparator
        }
    }

    /// The same, keeping line breaks and tabs (columns of command output).
    public static func inertText(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map { inert(String($0)) }.joined(separator: "\t")
        }.joined(separator: "\n")
    }

    /// JSON text with every invisible or reordering character (format characters such as
    /// U+202E, line and paragraph separators) written as a `\uXXXX` escape: the same JSON value,
    /// but nothing that can reorder what a terminal shows. (The encoder already escapes controls.)
    public static func jsonEscapingInvisible(_ json: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            let category = scalar.properties.generalCategory
            guard category == .format || category == .lineSeparator || category == .paragraphSeparator || (0x80..<0xA0).contains(scalar.value)
            else {
                out.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(out)
    }

    /// The same, line by line: newlines stay (a message with a caret line under the rule),
    /// everything else that could drive a terminal is made visible.
    public static func inertLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { inert(String($0)) }.joined(separator: "\n")
    }
}

/// Terminal column width of a character: 0 for combining marks, 2 for East Asian wide and
/// emoji, else 1.
public enum CellWidth {
    public static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let value = first.value
        // A format character on its own (a ZWSP, a stray ZWJ) takes no cell.
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark
            || first.properties.generalCategory == .format
        {
            return 0
        }
        if first.properties.isEmojiPresentation { return 2 }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    public static func of(_ text: String) -> Int { text.reduce(0) { $0 + pieces(of: $1).reduce(0) { $0 + of($1) } } }

    /// How a character is laid out in cells. An emoji sequence joined by ZWJ or carrying a
    /// skin-tone modifier (👩‍💻, 👍🏽) is laid out as its emoji, each in its own cells, the
    /// joiners dropped: that is how ncurses counts it (wcwidth, code point by code point) and how
    /// tmux and many terminals draw it, so it can never push the rest of a line out of place.
    /// The text itself keeps its joiners (the command line, JSON, the state).
    public static func pieces(of character: Character) -> [Character] {
        let scalars = character.unicodeScalars
        guard scalars.count > 1, scalars.contains(where: { $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) }),
            scalars.contains(where: { $0.properties.isEmoji && $0.value > 0xFF })
        else { return [character] }
        var pieces: [Character] = []
        var current = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar.value == 0x200D { continue }
            let attaches =
                scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark
                || (0xFE00...0xFE0F).contains(scalar.value) || (0xE0020...0xE007F).contains(scalar.value)
            if !attaches, !current.isEmpty {
                pieces += whole(current)
                current = String.UnicodeScalarView()
            }
            current.append(scalar)
        }
        if !current.isEmpty { pieces += whole(current) }
        return pieces
    }

    /// The scalars as one character when they make one, else one character each (never a trap).
    private static func whole(_ scalars: String.UnicodeScalarView) -> [Character] {
        let text = String(scalars)
        if text.count == 1, let character = text.first { return [character] }
        return scalars.map { Character($0) }
    }
}
