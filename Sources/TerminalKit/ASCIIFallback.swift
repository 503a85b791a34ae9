/// What a terminal without a UTF-8 locale shows for a character it can't: the console's own
/// glyphs as their ASCII look-alikes (· → -, → → >, … → ~, ✗ → !), anything else as `?`, one
/// per cell the character takes, so the columns after it stay where they are.
public enum ASCIIFallback {
    static let lookalikes: [Character: Character] = [
        "·": "-", "→": ">", "←": "<", "↑": "^", "↓": "v", "…": "~", "✗": "!", "⟳": "~", "─": "-", "│": "|",
        "┌": "+", "┐": "+", "└": "+", "┘": "+", "␛": "^", "␇": "^", "\u{FFFD}": "?", "“": "\"", "”": "\"", "‘": "'", "’": "'",
    ]

    /// The ASCII text for a character taking `cells` columns.
    public static func text(for character: Character, cells: Int) -> String {
        if character.isASCII { return String(character) }
        if cells == 1, let lookalike = lookalikes[character] { return String(lookalike) }
        return String(repeating: "?", count: max(1, cells))
    }
}
