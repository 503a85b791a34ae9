/// The rows of a list pane, made on demand: drawing asks only for the rows on screen, so the
/// cost of a frame follows the window, not the tenant (a million users draw as fast as forty).
public struct RowList {
    public let count: Int
    private let make: (Int) -> Row

    public init(count: Int, make: @escaping (Int) -> Row) {
        self.count = count
        self.make = make
    }

    public init(_ rows: [Row]) {
        self.init(count: rows.count) { rows[$0] }
    }

    public subscript(index: Int) -> Row { make(index) }

    public var indices: Range<Int> { 0..<count }
    public var isEmpty: Bool { count == 0 }

    /// Makes every row until one matches: for short lists (groups, plans), not for users.
    public func firstIndex(where predicate: (Row) -> Bool) -> Int? {
        indices.first { predicate(make($0)) }
    }

    /// The rows in `range` (clamped to the list).
    public func rows(in range: Range<Int>) -> [Row] {
        let lower = max(0, min(range.lowerBound, count))
        let upper = max(lower, min(range.upperBound, count))
        return (lower..<upper).map(make)
    }
}
