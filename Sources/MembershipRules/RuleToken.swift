/// One lexical token of a rule, with the character offsets it spans.
struct RuleToken: Equatable {
    enum Kind: Equatable {
        case openParen, closeParen, openBracket, closeBracket, comma
        /// A quoted string, unescaped.
        case string(String)
        /// `-word` (hyphen or EN DASH): an operator or keyword with its hyphen.
        case dashWord(String)
        /// A bare word: property path, hyphenless keyword, null, true, `_`, `system.now`, `p1d`.
        case word(String)
        /// Starts with a digit: a date-time or number literal.
        case literal(String)
        case end
    }
    let kind: Kind
    /// Character offsets (0-based) into the rule text.
    let start: Int
    let end: Int
}
