import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Told by a commit, after it has let go of the state's lock, that the journal has grown to
/// the compaction threshold.
public protocol CompactionTrigger: Sendable {
    func compactionIsDue(_ store: StateStore)
}

/// Starts `licensedesk compact --background` as a process of its own, detached (its own
/// session, no terminal, standard streams on /dev/null), and returns at once: the admin's
/// command never waits for a compaction, and it goes on if the command ends or is killed.
///
/// It starts none while a compactor holds `compaction.lock`, nor within a minute of one that
/// started and did not end (`compaction.started`, made when a compactor starts and removed
/// when it ends) or failed (`CompactionFailure`):
/// a full disk, or a helper killed for memory before it could say why, must not start a
/// helper, each loading the whole tenant, on every save.
public struct DetachedCompaction: CompactionTrigger {
    /// The `licensedesk` binary to start.
    public let executable: String
    /// Added to its command line (`bench` asks for `--report FILE`).
    public let extraArguments: [String]

    public init(executable: String, extraArguments: [String] = []) {
        self.executable = executable
        self.extraArguments = extraArguments
    }

    public func compactionIsDue(_ store: StateStore) {
        // A time in the future (a clock set back, a forged file) counts as long ago.
        func recent(_ time: Date) -> Bool { (0..<60).contains(Date().timeIntervalSince(time)) }
        var info = stat()
        if lstat(store.path(StateFileName.compactionStarted), &info) == 0,
            recent(Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9))
        {
            return  // running, or died within the minute without saying why
        }
        guard let free = try? DirectoryLock.attempt(directory: store.directory, file: StateFileName.compactionLock) else { return }
        withExtendedLifetime(free) {}
        if let failure = CompactionFailure.read(in: store), recent(failure.time) { return }
        Self.spawnDetached(executable, ["compact", "--background", "--state", store.directory] + extraArguments)
    }

    /// posix_spawn with a new session (POSIX_SPAWN_SETSID): no controlling terminal, so an
    /// SSH hang-up or Ctrl-C in the admin's shell does not reach it.
    static func spawnDetached(_ executable: String, _ arguments: [String]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+), which Swift's Glibc module does not export.
        let setsid: Int16 = 0x80
        posix_spawnattr_setflags(&attributes, setsid)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, argv, environ) == 0 else { return }
        let spawned = pid
        // Not waited for: a reaper is not needed, since the admin's command ends soon and
        // init adopts the helper; a long-lived process reaps it below without blocking.
        DispatchQueue.global(qos: .background).async {
            var status: Int32 = 0
            waitpid(spawned, &status, 0)
        }
    }
}

/// Why the last background compaction failed (`compaction.failed`), so `status` can say so and
/// the trigger waits a minute before trying again; removed by the next compaction that works.
/// Format (pinned by `Tests/TrustTests/Fixtures/compaction-failed.json`):
/// `{"formatVersion":1,"reason":"…","time":"…"}`.
public struct CompactionFailure: Codable, Sendable, Equatable {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "formatVersion", time = "time", reason = "reason"
    }
    public var formatVersion = 1
    public var time: Date
    public var reason: String

    public init(time: Date, reason: String) {
        self.time = time
        self.reason = reason
    }

    public static func read(in store: StateStore) -> CompactionFailure? {
        guard let data = try? DurableFile.read(store.path(StateFileName.compactionFailed)) else { return nil }
        return try? StateJSON.decoder().decode(CompactionFailure.self, from: data)
    }

    public func write(in store: StateStore) {
        guard let data = try? StateJSON.encode(self) else { return }
        try? DurableFile.replace(store.path(StateFileName.compactionFailed), with: data, mode: store.fileMode)
    }

    public static func clear(in store: StateStore) { unlink(store.path(StateFileName.compactionFailed)) }
}
