/// Semantic styles; a theme maps them to colours and attributes.
public enum StyleToken: String, CaseIterable, Hashable, Sendable {
    case text, header, border, borderFocus, selection, toggleOn, toggleOff, pending, error, dim
    case statusInfo, statusWarn, statusError, footer
}

/// One cell: a character (or the right half of a wide one) and its style.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: StyleToken
    /// True for the second column of a double-width character.
    public var isContinuation: Bool
    public static let blank = Cell(character: " ", style: .text, isContinuation: false)
}

/// A grid of styled cells that widgets draw into; terminals present whole frames.
public struct Frame: Hashable, Sendable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]
    /// Where the hardware cursor is parked (the selected row), for screen readers.
    public var cursor: (column: Int, row: Int)? {
        get { cursorPosition.map { ($0[0], $0[1]) } }
        set { cursorPosition = newValue.map { [$0.column, $0.row] } }
    }
    private var cursorPosition: [Int]?

    public init(size: TerminalSize) {
        self.size = size
        cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    public subscript(column: Int, row: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Draws text from (column, row), clipped to `width` cells and the frame. The text is made
    /// inert first: control and escape characters never reach the terminal. Returns the
    /// number of columns used.
    @discardableResult
    public mutating func put(_ text: String, column: Int, row: Int, width: Int? = nil, style: StyleToken = .text) -> Int {
        guard row >= 0, row < size.rows, column < size.columns else { return 0 }
        let limit = min(size.columns, column + (width ?? size.columns))
        var x = column
        for cluster in TextSanitizer.inert(text) {
            for character in CellWidth.pieces(of: cluster) {
                let cellWidth = CellWidth.of(character)
                if cellWidth == 0 { continue }
                if x + cellWidth > limit { return x - column }
                if x >= 0 {
                    cells[row * size.columns + x] = Cell(character: character, style: style, isContinuation: false)
                    if cellWidth == 2 {
                        cells[row * size.columns + x + 1] = Cell(character: " ", style: style, isContinuation: true)
                    }
                }
                x += cellWidth
            }
        }
        return x - column
    }

    /// Paints a style over a run of cells (a selection bar), keeping their characters.
    public mutating func paint(_ style: StyleToken, column: Int, row: Int, width: Int) {
        guard row >= 0, row < size.rows else { return }
        for x in max(0, column)..<min(size.columns, column + width) { cells[row * size.columns + x].style = style }
    }

    /// The text of one row, wide characters once (for tests and snapshots).
    public func text(row: Int) -> String {
        var line = ""
        for x in 0..<size.columns where !self[x, row].isContinuation { line.append(self[x, row].character) }
        return line
    }

    /// Every row, right-trimmed.
    public var lines: [String] {
        (0..<size.rows).map { row in
            var line = text(row: row)
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.size == rhs.size && lhs.cells == rhs.cells && lhs.cursorPosition == rhs.cursorPosition
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(size)
        hasher.combine(cells)
    }
}
