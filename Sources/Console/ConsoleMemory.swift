import Foundation

/// What the console remembers for one admin between sessions: the theme they chose and what
/// they typed (the `:` line, filters, rules), in their own config folder, never in the shared
/// state. File: `<config>/console.json`, format version 1 (`Fixtures/console-memory-v1.json`).
/// Best effort both ways: an unreadable, foreign or damaged file is set aside and the console
/// starts with nothing remembered; a home that can't be written only means nothing is kept.
public final class ConsoleMemory {
    /// Which line a history belongs to.
    public enum Line: String, Codable, CaseIterable, Sendable {
        case command, filter, rule
    }

    struct Contents: Codable, Equatable {
        var version = 1
        var theme: String?
        var history: [String: [String]] = [:]

        enum CodingKeys: String, CodingKey {
            case version, theme, history
        }

        init() {}

        // Every key but the version may be missing (a file an admin wrote by hand).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.decode(Int.self, forKey: .version)
            theme = try container.decodeIfPresent(String.self, forKey: .theme)
            history = try container.decodeIfPresent([String: [String]].self, forKey: .history) ?? [:]
        }
    }

    /// Entries kept per line, oldest dropped first; longer entries are not kept.
    public static let historyLimit = 200
    static let entryLimit = 4_096
    static let fileLimit = 4 << 20

    /// nil: remember nothing on disk (tests, a console with no home).
    public let path: String?
    private(set) var contents = Contents()
    /// Why the file could not be used, once, for the status line.
    public private(set) var problem: String?

    public init(path: String?) {
        self.path = path
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let data = try handle.read(upToCount: Self.fileLimit + 1) ?? Data()
            guard data.count <= Self.fileLimit else { throw CocoaError(.fileReadTooLarge) }
            let decoded = try JSONDecoder().decode(Contents.self, from: data)
            guard decoded.version == 1 else { throw CocoaError(.fileReadCorruptFile) }
            contents = decoded
            for (line, entries) in contents.history { contents.history[line] = Array(entries.suffix(Self.historyLimit)) }
        } catch {
            problem = "\(path) could not be read as the console's memory (\(error.localizedDescription)); it was set aside as console.json.damaged"
            try? FileManager.default.removeItem(atPath: path + ".damaged")
            try? FileManager.default.moveItem(atPath: path, toPath: path + ".damaged")
        }
    }

    /// The file in the admin's config folder.
    public static func forCurrentAdmin(environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsoleMemory {
        ConsoleMemory(path: ConfigFolder.path(environment: environment) + "/console.json")
    }

    public var theme: String? { contents.theme }

    public func remember(theme: String) {
        contents.theme = theme
        save()
    }

    /// The entries of one line's history, oldest first.
    public func history(_ line: Line) -> [String] { contents.history[line.rawValue] ?? [] }

    /// Adds what was entered (not blank, not a repeat of the last, not huge) and saves.
    public func record(_ text: String, in line: Line) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= Self.entryLimit, history(line).last != text else { return }
        var entries = history(line)
        entries.append(text)
        contents.history[line.rawValue] = Array(entries.suffix(Self.historyLimit))
        save()
    }

    private func save() {
        guard let path else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(contents) else { return }
        // Written aside and renamed, readable by the admin alone: rules and filters can name people.
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
