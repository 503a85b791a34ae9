import Foundation
import TerminalKit

/// Finds and reads theme files: `--theme`, then `LICENSEDESK_THEME`, then `default`; NO_COLOR
/// means monochrome. Search path: `./themes`, `$XDG_CONFIG_HOME/licensedesk/themes`, the
/// install prefix's `share/licensedesk/themes` (beside the binary). A bad file is reported and
/// the built-in default is used.
public enum ThemeLoader {
    public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var path = [FileManager.default.currentDirectoryPath + "/themes"]
        path.append(ConfigFolder.path(environment: environment) + "/themes")
        let binary = executableURL().resolvingSymlinksInPath().deletingLastPathComponent()
        path.append(binary.deletingLastPathComponent().appendingPathComponent("share/licensedesk/themes").path)
        return path
    }

    /// The running binary. argv[0] is only a name when the shell found the binary on PATH, so
    /// the kernel's record comes first.
    static func executableURL() -> URL {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// The names `:theme` takes: the built-in themes and any file on the search path.
    public static func names(searchPath: [String]) -> [String] {
        Array(Set(BuiltInThemes.texts.keys).union(available(searchPath: searchPath).map(\.name))).sorted()
    }

    /// Every theme file the search path offers, first match of each name first.
    public static func available(searchPath: [String]) -> [(name: String, file: String)] {
        var seen = Set<String>()
        var found: [(name: String, file: String)] = []
        for directory in searchPath {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in names.sorted() where file.hasSuffix(".theme") {
                let name = String(file.dropLast(".theme".count))
                if seen.insert(name).inserted { found.append((name, directory + "/" + file)) }
            }
        }
        return found
    }

    /// The theme to start with, and a warning when a file was bad or missing: `--theme`, then
    /// NO_COLOR, then `LICENSEDESK_THEME`, then the one this admin chose last (`remembered`).
    public static func resolve(flag: String?, remembered: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (Theme, String?)
    {
        if environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false, flag == nil { return (.monochrome, nil) }
        let name = flag ?? environment["LICENSEDESK_THEME"] ?? remembered ?? "default"
        switch load(named: name, searchPath: searchPath(environment: environment)) {
        case .success(let theme): return (theme, nil)
        case .failure(let error): return (.builtInDefault, "\(error.description); using the built-in default theme")
        }
    }

    /// The themes every binary carries, whatever the search path finds.
    public static let builtInNames = BuiltInThemes.texts.keys.sorted()

    public static func load(named name: String, searchPath: [String]) -> Result<Theme, ThemeError> {
        let file = name.hasSuffix(".theme") || name.contains("/") ? [name] : searchPath.map { "\($0)/\(name).theme" }
        for candidate in file where FileManager.default.fileExists(atPath: candidate) {
            guard let text = try? String(contentsOfFile: candidate, encoding: .utf8) else {
                return .failure(ThemeError(file: candidate, line: 0, reason: "can't be read as UTF-8 text"))
            }
            do { return .success(try ThemeParser.parse(text, file: candidate)) } catch { return .failure(error) }
        }
        if let text = BuiltInThemes.texts[name] {
            do { return .success(try ThemeParser.parse(text, file: "built-in \(name)")) } catch { return .failure(error) }
        }
        return .failure(ThemeError(file: name, line: 0, reason: "no theme called \(name) in " + searchPath.joined(separator: ", ")))
    }
}
