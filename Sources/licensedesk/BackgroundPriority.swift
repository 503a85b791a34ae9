import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The background compactor's place in the queue for the processor: behind every admin.
///
/// `nice` alone did not do it. On Linux a nice value is a thread's, and with autogroup
/// scheduling (on by default) it ranks a thread only within its session: the helper runs in a
/// session of its own (`DetachedCompaction`), so it took a full core as an equal of each
/// admin's session and a save or a console refresh waited tens of milliseconds for the
/// processor at a million users. Its session's own nice value (`/proc/self/autogroup`) ranks
/// it against the others; raising a nice value needs no privilege.
enum BackgroundPriority {
    static func lower(to value: Int32) {
        // Threads made from here on inherit the main thread's value; any made before are set too.
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks.compactMap({ id_t($0) }) { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), task, value) }
        let autogroup = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC)
        guard autogroup >= 0 else { return }  // no autogroup scheduling: the nice values rank it
        _ = "\(value)".withCString { write(autogroup, $0, strlen($0)) }
        close(autogroup)
    }
}
