import Foundation
import Testing

/// Golden files of whole console screens, as swift-argument-parser keeps its help texts: each
/// screen a test draws is compared, line by line, with `Tests/<target>/Screens/<name>.txt`.
/// `LICENSEDESK_RECORD_SCREENS=1 swift test` writes them afresh (look at the diff before
/// committing). The state folder in the header, a temporary path, reads `<state>`.
public enum ScreenSnapshot {
    public static var recording: Bool { ProcessInfo.processInfo.environment["LICENSEDESK_RECORD_SCREENS"] == "1" }

    /// The screen with what changes from run to run (the temporary state folder) masked.
    public static func normalised(_ lines: [String]) -> String {
        var lines = lines
        if let first = lines.first, let range = first.range(of: #"(?<=Pending \d{1,9} · ).*$"#, options: .regularExpression) {
            lines[0] = first.replacingCharacters(in: range, with: "<state>")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Compares (or records) the screen; the difference, line by line, is the failure. Returns
    /// whether the screen matched (recording counts as a match).
    @discardableResult
    public static func check(
        _ lines: [String], named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Screens")
        let file = folder.appendingPathComponent("\(name).txt")
        let actual = normalised(lines)
        if recording {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: file)
            return true
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record(Comment(rawValue: "no golden screen \(file.path): run with LICENSEDESK_RECORD_SCREENS=1 to write it"), sourceLocation: sourceLocation)
            return false
        }
        guard expected != actual else { return true }
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var difference: [String] = []
        for index in 0..<max(want.count, got.count) {
            let a = index < want.count ? String(want[index]) : "<none>"
            let b = index < got.count ? String(got[index]) : "<none>"
            if a != b { difference.append("line \(index + 1):\n  golden: \(a)\n  screen: \(b)") }
        }
        let report = "the screen differs from \(name).txt:\n" + difference.joined(separator: "\n")
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
        return false
    }
}
