import Foundation

/// A child process whose standard output is read line by line as it arrives, so a test can
/// act on what it has acknowledged so far and then kill it.
public final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    public init(_ arguments: [String], binary: String = BinaryRunner.binaryPath) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LICENSEDESK_STATE"] = nil
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.finished.signal()
                return
            }
            self.lock.lock()
            self.buffer.append(data)
            while let newline = self.buffer.firstIndex(of: 0x0A) {
                self.lines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
                self.buffer.removeSubrange(...newline)
            }
            self.lock.unlock()
        }
        try process.run()
    }

    /// Whole lines printed so far.
    public var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Waits until a line starting with `prefix` has been printed, or the process ended.
    public func waitForLine(startingWith prefix: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(where: { $0.hasPrefix(prefix) }) { return true }
            if !process.isRunning { return output.contains(where: { $0.hasPrefix(prefix) }) }
            usleep(2_000)
        }
        return false
    }

    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = finished.wait(timeout: .now() + 5)
    }

    /// Waits for a normal exit; returns the status.
    public func wait() -> Int32 {
        process.waitUntilExit()
        _ = finished.wait(timeout: .now() + 5)
        return process.terminationStatus
    }
}
