import Foundation
import TerminalKit

/// Everything the command line prints with `print` is made inert on the way out (ESC, BEL,
/// bidi overrides and other controls shown as visible placeholders; line breaks and tabs kept):
/// display names, rule text, SKU names, paths and other admins' text reach the terminal in
/// dozens of places, and one place that forgets is enough for a hostile name to clear or
/// rewrite an admin's screen. This shadows `Swift.print` for the whole module.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(TextSanitizer.inertText(text), terminator: terminator)
}

/// Bytes for standard output that are data (a CSV, a script): written as they are into a
/// file or a pipe, made inert only when standard output is a terminal.
enum DataOutput {
    static func write(_ text: String) {
        let shown = isatty(STDOUT_FILENO) != 0 ? TextSanitizer.inertText(text) : text
        FileHandle.standardOutput.write(Data(shown.utf8))
    }
}
