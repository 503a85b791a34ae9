import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a pull keeps what it has read so far, so an interrupted pull goes on where it stopped:
/// each page as Graph sent it (written whole, then renamed into place), and `progress.json`
/// saying which collections are done and the `@odata.nextLink` of the next page. It lives in
/// the admin's own cache (mode 0700), never in the shared state, and is removed once the pull
/// has been imported.
public struct PullWorkspace {
    let directory: URL
    /// Held while this pull uses the folder: two pulls in one folder would mix their pages.
    let lock: FolderLock

    struct Step: Codable, Equatable {
        var next: String?
        var pages = 0
        var objects = 0
        var done = false
    }

    struct Progress: Codable, Equatable {
        var graphURL: String
        /// The tenant read, so a resumed pull never adds another tenant's pages to these.
        var organizationID: String?
        var steps: [String: Step] = [:]
        /// Groups whose members are all read.
        var membersDone: Set<String> = []
    }

    /// `$XDG_CACHE_HOME/licensedesk/pull/<key>` (else `~/.cache/…`), the key made from the
    /// Graph URL and the state directory: one pull per tenant and state.
    public static func standard(graphURL: String, stateDirectory: String) -> URL {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return URL(fileURLWithPath: cache).appendingPathComponent("licensedesk/pull/\(FNVHash.hex(graphURL + "\n" + stateDirectory))")
    }

    /// What a pull puts in its folder, and all it ever removes.
    static let ownNames: Set<String> = ["progress.json", "import", "groups", "members", "pull.lock"]

    /// `protecting`: folders the pull's own must not be or hold (the state directory).
    init(directory: URL, protecting: [String] = []) throws(GraphClientError) {
        self.directory = directory.standardizedFileURL
        let path = self.directory.path
        for protected in protecting.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }) {
            guard !(protected == path || protected.hasPrefix(path + "/") || path.hasPrefix(protected + "/")) else {
                throw .malformed(url: path, reason: "is, holds or is inside the state directory; --work needs a folder of its own")
            }
        }
        // A folder of someone's files is never taken over (and never emptied afterwards).
        let present = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let foreign = present.filter { !Self.ownNames.contains($0) && !$0.hasSuffix(".partial") }
        guard foreign.isEmpty else {
            throw .malformed(
                url: path,
                reason:
                    "has files a pull didn't make (\(foreign.sorted().prefix(3).joined(separator: ", "))); --work needs an empty folder or one an earlier pull left"
            )
        }
        for name in present where Self.ownNames.contains(name) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            guard attributes?[.type] as? FileAttributeType != .typeSymbolicLink else {
                throw .malformed(url: path + "/" + name, reason: "is a symbolic link; a pull writes only into folders of its own")
            }
        }
        for folder in ["", "import", "groups", "members"] {
            do {
                try FileManager.default.createDirectory(
                    at: directory.appendingPathComponent(folder), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch { throw .malformed(url: directory.path, reason: "the pull's folder can't be made: \(error)") }
        }
        guard let lock = FolderLock(path + "/pull.lock") else {
            throw .malformed(url: path, reason: "another pull is using this folder now; wait for it to end (or give it another --work)")
        }
        self.lock = lock
    }

    var importFolder: URL { directory.appendingPathComponent("import") }

    func loadProgress(graphURL: String) -> Progress {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("progress.json")),
            let saved = try? JSONDecoder().decode(Progress.self, from: data), saved.graphURL == graphURL
        else { return Progress(graphURL: graphURL) }
        return saved
    }

    func save(_ progress: Progress) throws(GraphClientError) {
        try write(try encoded(progress), to: directory.appendingPathComponent("progress.json"))
    }

    private func encoded<T: Encodable>(_ value: T) throws(GraphClientError) -> Data {
        do { return try JSONEncoder().encode(value) } catch { throw .malformed(url: directory.path, reason: "\(error)") }
    }

    /// Whole or not at all: a pull killed mid-write leaves no half page.
    func write(_ data: Data, to file: URL) throws(GraphClientError) {
        let temporary = file.appendingPathExtension("partial")
        do {
            // The tenant's users are in these pages: the admin's alone, whatever the folder.
            guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            try FileManager.default.moveItem(at: temporary, to: file)
        } catch { throw .malformed(url: file.path, reason: "can't be written: \(error)") }
    }

    func writeJSON(_ object: Any, to file: URL) throws(GraphClientError) {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { throw .malformed(url: file.path, reason: "not JSON") }
        try write(data, to: file)
    }

    func readJSON(_ file: URL) -> [String: Any]? {
        (try? Data(contentsOf: file)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// Removes what the pull made, then the folder if nothing else is left in it.
    func remove() {
        for name in Self.ownNames { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        if ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? ["?"]).isEmpty {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// An exclusive `flock` on a file, held until this is let go; nil when another process holds it.
final class FolderLock: @unchecked Sendable {
    private let descriptor: Int32

    init?(_ path: String) {
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
