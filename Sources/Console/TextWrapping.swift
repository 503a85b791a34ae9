import Foundation
import TerminalKit

/// Lines cut to fit a width in terminal columns (a wide character takes two), at a space when
/// there is one in the second half of the line; the following pieces are indented like the
/// first plus two, so a wrapped line reads as one. Nothing is dropped.
enum TextWrapping {
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(8, width)
        let inert = TextSanitizer.inert(text)
        guard CellWidth.of(inert) > width else { return [inert] }
        let indent = String(repeating: " ", count: min(width / 2, inert.prefix { $0 == " " }.count + 2))
        var pieces: [String] = []
        var line = ""
        var used = 0
        var lastSpace: String.Index?
        for character in inert {
            let cells = CellWidth.of(character)
            if used + cells > width {
                // Break at the last space if it keeps at least half the line.
                if let space = lastSpace, line.distance(from: line.startIndex, to: space) > width / 2 {
                    pieces.append(String(line[..<space]))
                    line = indent + String(line[line.index(after: space)...])
                } else {
                    pieces.append(line)
                    line = indent
                }
                used = CellWidth.of(line)
                lastSpace = nil
            }
            if character == " " { lastSpace = line.endIndex }
            line.append(character)
            used += cells
        }
        if line.trimmingCharacters(in: .whitespaces).isEmpty == false { pieces.append(line) }
        return pieces
    }
}
