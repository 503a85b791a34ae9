import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// For the crash tests only: with `LICENSEDESK_TEST_HOOKS=1` and `LICENSEDESK_CRASH_AT=N`, the
/// process kills itself with SIGKILL at the Nth durable step it reaches (a file written,
/// fsynced or renamed, a directory fsynced, a file removed), after naming the step on standard
/// error. A test walks N from 1 until a run ends by itself, so every step is a crash point.
enum CrashPoint {
    private static let target: Int? = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["LICENSEDESK_TEST_HOOKS"] == "1", let text = environment["LICENSEDESK_CRASH_AT"] else { return nil }
        return Int(text)
    }()
    nonisolated(unsafe) private static var reached = 0
    private static let counting = NSLock()

    /// One durable step done: `what` names it ("fsync users.json.staged").
    static func pass(_ what: @autoclosure () -> String) {
        guard let target else { return }
        counting.lock()
        reached += 1
        let now = reached
        counting.unlock()
        guard now == target else { return }
        FileHandle.standardError.write(Data("crash point \(now): \(what())\n".utf8))
        kill(getpid(), SIGKILL)
    }

    /// The name of a path, for the step's label.
    static func name(_ path: String) -> String { (path as NSString).lastPathComponent }
}
