/// A line of text being typed, with a cursor and the editing keys of a shell (readline's
/// emacs keys): ←/→, Home/End, Ctrl-A/E (start, end), Ctrl-U/K (delete to the start, to the
/// end), Ctrl-W (delete the word before the cursor), Backspace, Del and Ctrl-D.
public struct LineEditor: Hashable, Sendable {
    public private(set) var characters: [Character]
    /// Where the next character goes, 0...characters.count.
    public private(set) var cursor: Int
    /// The longest line it takes: a paste beyond it is cut there (a huge line must not make
    /// every keystroke slower).
    public var limit = Int.max

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String {
        get { String(characters) }
        set {
            characters = Array(newValue.prefix(limit))
            cursor = characters.count
        }
    }

    /// The text before the cursor (its width places the cursor on screen).
    public var beforeCursor: String { String(characters[..<cursor]) }

    public mutating func insert(_ text: String) {
        let room = max(0, limit - characters.count)
        let piece = text.prefix(room)
        characters.insert(contentsOf: piece, at: cursor)
        cursor += piece.count
    }

    /// Whether the line is as long as it may be.
    public var isFull: Bool { characters.count >= limit }

    /// Replaces the `count` characters before the cursor (a completed word).
    public mutating func replaceBeforeCursor(_ count: Int, with text: String) {
        let start = max(0, cursor - count)
        let piece = text.prefix(max(0, limit - (characters.count - (cursor - start))))
        characters.replaceSubrange(start..<cursor, with: piece)
        cursor = start + piece.count
    }

    /// Handles an editing key; false for a key that does not edit (Enter, Esc, Tab, ↑/↓).
    @discardableResult
    public mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .character(let character):
            insert(String(character))
        case .left, .control("b"):
            cursor = max(0, cursor - 1)
        case .right, .control("f"):
            cursor = min(characters.count, cursor + 1)
        case .home, .control("a"):
            cursor = 0
        case .end, .control("e"):
            cursor = characters.count
        case .backspace, .control("h"):
            guard cursor > 0 else { return true }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .control("d"):
            if cursor < characters.count { characters.remove(at: cursor) }
        case .control("u"):
            characters.removeSubrange(0..<cursor)
            cursor = 0
        case .control("k"):
            characters.removeSubrange(cursor...)
        case .control("w"):
            // The word before the cursor and the spaces after it, as a shell does.
            var start = cursor
            while start > 0, characters[start - 1] == " " { start -= 1 }
            while start > 0, characters[start - 1] != " " { start -= 1 }
            characters.removeSubrange(start..<cursor)
            cursor = start
        default:
            return false
        }
        return true
    }
}
