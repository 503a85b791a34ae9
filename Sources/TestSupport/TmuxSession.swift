import Foundation

/// Drives a real program in a detached tmux session, as a person at a terminal would:
/// `send-keys` to type, `capture-pane -p` to read, polling for expected text instead of sleeping.
public final class TmuxSession {
    public let name: String

    public init(command: String, columns: Int = 100, rows: Int = 30) throws {
        name = "ld-test-\(getpid())-\(UUID().uuidString.prefix(6))"
        // Each session has a tmux server of its own (`-L name`): tests run in parallel, and two
        // first new-sessions racing to start one shared server can fail ("exited 1" in CI).
        // The first new-session forks the tmux server, which keeps any pipe it inherits open:
        // give it no pipes, or reading our end would never finish.
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", command], capture: false)
    }

    deinit {
        // The last session's end stops its server too.
        _ = try? tmux(["kill-session", "-t", name])
    }

    public func sendKeys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// Copies everything the program sends to the terminal into a file (nil stops).
    public func pipe(to file: String?) throws {
        if let file {
            try tmux(["pipe-pane", "-o", "-t", name, "cat >> \(file)"])
        } else {
            try tmux(["pipe-pane", "-t", name])
        }
    }

    public func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
    }

    public func capture() throws -> String {
        try tmux(["capture-pane", "-p", "-t", name])
    }

    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    public func captureWithStyles() throws -> String {
        try tmux(["capture-pane", "-e", "-p", "-t", name])
    }

    /// Polls the screen until `text` appears; returns the screen, or nil after the timeout.
    public func waitFor(_ text: String, timeout: TimeInterval = 10) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let screen = try capture()
            if screen.contains(text) { return screen }
            usleep(50_000)
        }
        return nil
    }

    /// Polls the screen until `condition` holds; returns the screen, or nil after the timeout.
    public func waitUntil(timeout: TimeInterval = 10, _ condition: (String) -> Bool) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let screen = try capture()
            if condition(screen) { return screen }
            usleep(50_000)
        }
        return nil
    }

    /// Polls until the session's program has exited.
    public func waitForExit(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? tmux(["has-session", "-t", name])) == nil { return true }
            usleep(50_000)
        }
        return false
    }

    @discardableResult
    func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        try Self.tmux(["-L", name] + arguments, capture: capture)
    }

    @discardableResult
    static func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        // The first new-session forks the tmux server, which keeps any pipe it inherits open, so
        // it gets /dev/null instead of pipes; the output of other calls is read normally.
        let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tmux"
        if !capture {
            let status = try Spawn.runDetached(tmux, arguments, environment: ProcessInfo.processInfo.environment)
            guard status == 0 else { throw TmuxError(arguments: arguments, status: status) }
            return ""
        }
        let output = try Spawn.run(tmux, arguments, input: nil, environment: ProcessInfo.processInfo.environment)
        guard output.status == 0 else { throw TmuxError(arguments: arguments, status: output.status) }
        return String(decoding: output.standardOutput, as: UTF8.self)
    }

    public struct TmuxError: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        public var description: String { "tmux \(arguments.joined(separator: " ")) exited \(status)" }
    }
}
