/// A long rule cut into pieces of a fixed number of characters, each with the carets of the
/// problems that begin in it: the one layout of caret lines both the console's rule editor and
/// anything else that wraps a rule use, so a caret always sits under the piece it points into.
public struct WrappedRule: Equatable, Sendable {
    /// One piece of the rule and where its carets go, in characters from the piece's start.
    public struct Piece: Equatable, Sendable {
        public var text: String
        /// The piece's first character, counted from the rule's start.
        public var start: Int
        public var carets: [Range<Int>]
    }

    public var pieces: [Piece]

    public init(_ rule: String, problems: [RuleDiagnostic], width: Int) {
        let width = max(1, width)
        let characters = Array(rule)
        var pieces: [Piece] = []
        var start = 0
        repeat {
            let end = min(characters.count, start + width)
            pieces.append(Piece(text: String(characters[start..<end]), start: start, carets: []))
            start = end
        } while start < characters.count
        for problem in problems {
            // A problem past the end (a missing operand) points just after the last piece.
            let index = min(problem.range.lowerBound / width, pieces.count - 1)
            let offset = min(max(0, problem.range.lowerBound - pieces[index].start), width - 1)
            let length = max(1, min(problem.range.count, width - offset, 40))
            pieces[index].carets.append(offset..<offset + length)
        }
        self.pieces = pieces
    }
}
