import Foundation

/// A fresh directory under the system temp folder, removed when the value goes away.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "licensedesk-test") {
        path = NSTemporaryDirectory() + "\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// A folder beside this one (`<path>-<suffix>`), removed with it: for what must not sit
    /// inside a state directory, such as an admin's own config folder.
    public func sibling(_ suffix: String) -> String {
        let sibling = path + "-" + suffix
        try? FileManager.default.createDirectory(atPath: sibling, withIntermediateDirectories: true)
        siblings.append(sibling)
        return sibling
    }
    private var siblings: [String] = []

    /// Writes `text` (UTF-8) to a file in the directory and returns its path.
    @discardableResult
    public func write(_ text: String, to name: String) -> String {
        let path = file(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    deinit {
        for sibling in siblings { try? FileManager.default.removeItem(atPath: sibling) }
        try? FileManager.default.removeItem(atPath: path)
    }
}
