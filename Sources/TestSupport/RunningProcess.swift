import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process whose standard output is read line by line as it arrives, so a test can
/// act on what it has acknowledged so far and then kill it.
///
/// Spawned with posix_spawn and read on a thread of its own with plain read(2): Foundation's
/// Process with a readabilityHandler crashed now and then under a kill loop.
public final class RunningProcess: @unchecked Sendable {
    private let pid: pid_t
    private let lock = NSLock()
    private var lines: [String] = []
    private var exited = false
    private var status: Int32 = 0
    private let readerDone = DispatchSemaphore(value: 0)

    /// `mergingErrors`: standard error is read into `output` too (otherwise it is dropped).
    /// `environment`: more variables for the child, over this process's own.
    public init(_ arguments: [String], binary: String = BinaryRunner.binaryPath, mergingErrors: Bool = false, environment extra: [String: String] = [:])
        throws
    {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if mergingErrors {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var environment = ProcessInfo.processInfo.environment.filter { $0.key != "LICENSEDESK_STATE" }
        // `licensedesk debug` (the durability tests' writer) runs only with the test hooks on.
        environment["LICENSEDESK_TEST_HOOKS"] = "1"
        for (name, value) in extra { environment[name] = value }
        let child: pid_t
        do {
            child = try Spawn.spawn(binary, arguments, environment: environment, actions: &actions)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        pid = child
        let readFD = fds[0]
        Thread.detachNewThread { [self] in
            var pending = Data()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(readFD, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: chunk[0..<count])
                var complete: [String] = []
                while let newline = pending.firstIndex(of: 0x0A) {
                    complete.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
                if !complete.isEmpty {
                    lock.lock()
                    lines += complete
                    lock.unlock()
                }
            }
            close(readFD)
            readerDone.signal()
        }
    }

    /// Whole lines printed so far.
    public var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exited { return false }
        var code: Int32 = 0
        if waitpid(pid, &code, WNOHANG) == pid {
            exited = true
            status = code
            return false
        }
        return true
    }

    /// Waits until a line starting with `prefix` has been printed, or the process ended.
    public func waitForLine(startingWith prefix: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(where: { $0.hasPrefix(prefix) }) { return true }
            if !isRunning { return output.contains(where: { $0.hasPrefix(prefix) }) }
            usleep(2_000)
        }
        return false
    }

    /// Asks the process to stop (SIGTERM) and waits for its exit status.
    @discardableResult
    public func terminate() -> Int32 {
        if isRunning { Glibc.kill(pid, SIGTERM) }
        return wait()
    }

    public func kill() {
        if isRunning { Glibc.kill(pid, SIGKILL) }
        _ = wait()
    }

    /// Waits for the process to end and its output to be read; returns its exit status.
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        if !exited {
            var code: Int32 = 0
            lock.unlock()
            while waitpid(pid, &code, 0) < 0 && errno == EINTR {}
            lock.lock()
            exited = true
            status = code
        }
        let code = status
        lock.unlock()
        readerDone.wait()
        readerDone.signal()
        // Normal exit: the exit code; killed: 128 + signal, as shells report it.
        return code & 0x7F == 0 ? (code >> 8) & 0xFF : 128 + (code & 0x7F)
    }
}
