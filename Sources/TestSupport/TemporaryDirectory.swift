import Foundation

/// A fresh directory under the system temp folder, removed when the value goes away.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "licensedesk-test") {
        path = NSTemporaryDirectory() + "\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
