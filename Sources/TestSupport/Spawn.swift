import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion with posix_spawn and plain pipes, reading its output on threads
/// of our own. Foundation's Process crashed the test process now and then when many tests
/// launched programs at once, so the test helpers use this instead.
enum Spawn {
    struct Output {
        var status: Int32
        var standardOutput: Data
        var standardError: Data
    }

    static func run(_ program: String, _ arguments: [String], input: Data?, environment: [String: String]) throws -> Output {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        var inPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else { throw POSIXError(.EMFILE) }
        for fd in [outPipe[0], errPipe[0], inPipe[1]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [inPipe[0], outPipe[1], errPipe[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        let pid: pid_t
        do {
            pid = try spawn(program, arguments, environment: environment, actions: &actions)
        } catch {
            for fd in [inPipe[0], outPipe[1], errPipe[1], inPipe[1], outPipe[0], errPipe[0]] { close(fd) }
            throw error
        }
        for fd in [inPipe[0], outPipe[1], errPipe[1]] { close(fd) }
        let stdout = Drain(outPipe[0])
        let stderr = Drain(errPipe[0])
        if let input {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(inPipe[1], buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
        close(inPipe[1])
        let code = waitForExit(pid)
        return Output(status: code, standardOutput: stdout.wait(), standardError: stderr.wait())
    }

    /// Runs a program with /dev/null for all three standard streams; returns its exit status.
    static func runDetached(_ program: String, _ arguments: [String], environment: [String: String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        return waitForExit(try spawn(program, arguments, environment: environment, actions: &actions))
    }

    /// posix_spawn with C copies of the arguments and environment.
    static func spawn(
        _ program: String, _ arguments: [String], environment: [String: String], actions: inout posix_spawn_file_actions_t
    ) throws -> pid_t {
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    /// The exit status, or 128 + the signal that killed it, as shells report it.
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Reads a pipe to its end on a thread of its own.
    final class Drain: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32) {
            Thread.detachNewThread { [self] in
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(fd, &chunk, chunk.count)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    data.append(contentsOf: chunk[0..<count])
                }
                close(fd)
                done.signal()
            }
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }
}
