import Foundation
import LicenseModel
import LicenseStore
import TestSupport

/// What the trust tests share: a state made by the real binary, a picture of every file in it
/// (to show an attack changed nothing), and the binary run against it.
struct TrustState {
    let parent = TemporaryDirectory("licensedesk-trust")
    var path: String { parent.file("state") }

    init(demo: Bool = true) throws {
        let made = try BinaryRunner.run(["init", demo ? "--demo" : "--empty", "--state", parent.file("state")])
        guard made.status == 0 else { throw TrustSetupFailed(reason: made.standardError) }
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> BinaryRunner.Result {
        try BinaryRunner.run(arguments + ["--state", path], environment: environment)
    }

    /// Every name in the directory (not following links) with its bytes, or what it is.
    func picture() -> [String: String] {
        var files: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let full = file(name)
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: files[name] = (try? String(contentsOfFile: full, encoding: .utf8)) ?? "<binary \(info.st_size)>"
            case S_IFLNK: files[name] = "link → " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")
            default: files[name] = "<kind \(info.st_mode & S_IFMT)>"
            }
        }
        // The lock file is created by any reader, and who holds it is noted by any writer that
        // takes it (before the model may refuse the change): neither is a change to the state.
        files[StateFileName.lock] = nil
        files["state.lock.holder"] = nil
        return files
    }

    /// Whether any regular file in the directory (or below it) holds `text`.
    func anyFileContains(_ text: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return false }
        for case let name as String in walker {
            let full = file(name)
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if let data = FileManager.default.contents(atPath: full), data.range(of: Data(text.utf8)) != nil { return true }
        }
        return false
    }
}

struct TrustSetupFailed: Error {
    var reason: String
}

/// A private file of "another admin": 0600, outside the state, holding a marker.
struct SecretFile {
    let folder = TemporaryDirectory("licensedesk-secret")
    let marker = "TOP-SECRET-\(UUID().uuidString)"
    var path: String { folder.file("private.json") }

    init() {
        folder.write("{\"value\": [], \"formatVersion\": 1, \"secret\": \"\(marker)\"}\n", to: "private.json")
        chmod(path, 0o600)
    }
}
