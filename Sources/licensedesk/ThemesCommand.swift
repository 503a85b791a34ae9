import ArgumentParser
import Console
import Foundation
import TerminalKit

/// `licensedesk themes`: where the console looks for themes and what it finds there, so an admin
/// can tell why `--theme` picked (or missed) a file.
struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "themes",
        abstract: "List the console themes on the search path, and check one with --check.")

    @Option(help: "Load this theme (a name or a file) as the console would, and report any error.")
    var check: String?

    func run() throws {
        let searchPath = ThemeLoader.searchPath()
        if let check {
            switch ThemeLoader.load(named: check, searchPath: searchPath) {
            case .success: print("\(TextSanitizer.inert(check)): ok")
            case .failure(let error):
                FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(error.description))\n".utf8))
                throw ExitCode(2)
            }
            return
        }
        print("Search path (first match wins):")
        for directory in searchPath { print("  \(TextSanitizer.inert(directory))") }
        let found = ThemeLoader.available(searchPath: searchPath)
        print("Built in: \(ThemeLoader.builtInNames.joined(separator: ", ")) (a file of the same name on the search path wins)")
        print(found.isEmpty ? "No theme files found" : "Theme files:")
        let width = found.map(\.name.count).max() ?? 0
        for theme in found {
            let name = TextSanitizer.inert(theme.name)
            print("  \(name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0))  \(TextSanitizer.inert(theme.file))")
        }
    }
}
