import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on the state directory's lock file: exclusive while a change is
/// read-applied-written, shared only as a reader's last resort (`StateStore.loadConsistent`).
/// Opened O_RDONLY: flock needs no write access and the file may belong to another admin. The
/// kernel drops it if the process dies.
///
/// Whoever holds it exclusively says so in `state.lock.holder` (OS user, pid, command, since
/// when), and a writer that has waited a second is told who it waits for
/// (`DirectoryLock.waitNotice`), so no admin waits without a word.
final class DirectoryLock {
    private let fd: Int32

    /// Told once, after a second of waiting, who holds the lock. The command line prints it;
    /// nil (the default) says nothing.
    nonisolated(unsafe) static var waitNotice: (@Sendable (String) -> Void)?

    /// `file` is the state's lock by default; the compactor's own lock (`compaction.lock`) is
    /// the same kind of file, held for a whole compaction so only one runs at a time.
    /// `wait`: false throws at once when the lock is held (`attempt`).
    init(directory: String, exclusive: Bool = true, wait: Bool = true, file: String = StateFileName.lock) throws(StateError) {
        let path = (directory as NSString).appendingPathComponent(file)
        // O_NONBLOCK: a FIFO someone put in its place must not hang every writer on open.
        var descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if descriptor < 0 && errno == ENOENT {
            descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, DurableFile.fileMode)
            if descriptor >= 0 { fchmod(descriptor, StateStore.fileMode(forDirectory: directory)) }
        }
        fd = descriptor
        guard fd >= 0 else {
            if errno == ELOOP { throw .refusedFile(path: path, reason: "is a symbolic link, not the state's lock file") }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            let kind = StateFilePolicy.describe(info.st_mode & S_IFMT)
            close(fd)
            throw .refusedFile(path: path, reason: "is \(kind), not the state's lock file; move it away")
        }
        let operation = exclusive ? LOCK_EX : LOCK_SH
        var failure: Int32 = 0
        repeat {
            failure = flock(fd, operation | LOCK_NB) == 0 ? 0 : errno
        } while failure == EINTR
        if failure == EWOULDBLOCK, wait {
            // Busy: wait in the kernel's queue (a blocking flock), woken the moment the holder
            // lets go. Trying every few milliseconds instead cost a waiter up to its last
            // pause after the lock was free (40 ms for a 15 ms switch), and let a stream of
            // quick commits keep taking it first. The notice comes from a timer meanwhile.
            let notice = file == StateFileName.lock ? Self.scheduleWaitNotice(directory: directory) : nil
            repeat {
                failure = flock(fd, operation) == 0 ? 0 : errno
            } while failure == EINTR
            notice?.cancel()
        }
        guard failure == 0 else {
            close(fd)
            if failure == EWOULDBLOCK { throw Busy.held(path: path) }
            throw .io(path: path, reason: "could not lock: \(String(cString: strerror(failure)))")
        }
        if exclusive && file == StateFileName.lock { LockHolder.current().write(directory: directory) }
    }

    /// Tells `waitNotice`, a second from now unless cancelled first, who holds the lock.
    private static func scheduleWaitNotice(directory: String) -> DispatchWorkItem? {
        guard let notice = waitNotice else { return nil }
        let item = DispatchWorkItem {
            notice(LockHolder.read(directory: directory)?.waitingText ?? "waiting for another admin's change to finish…")
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1, execute: item)
        return item
    }

    /// The lock when it is free this moment, nil when someone holds it; a lock file that is
    /// not one (a link, a FIFO) is still an error.
    static func attempt(directory: String, file: String = StateFileName.lock) throws(StateError) -> DirectoryLock? {
        do { return try DirectoryLock(directory: directory, wait: false, file: file) } catch {
            if case .io(_, let reason) = error, reason.hasPrefix(Busy.reason) { return nil }
            throw error
        }
    }

    /// What `wait: false` throws when the lock is held.
    private enum Busy {
        static let reason = "could not lock: held by another process"
        static func held(path: String) -> StateError { .io(path: path, reason: reason) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Who holds the exclusive lock, as the holder wrote it. Advisory and unsynced: it only ever
/// explains a wait, never decides anything.
struct LockHolder: Codable {
    var user: String
    var pid: Int32
    var command: String
    var since: Date

    static let fileName = "state.lock.holder"

    /// The command line with what follows a flag that carries a secret (a token command, a
    /// client secret) hidden: the holder file is for teammates to read.
    static func redacted(_ arguments: [String]) -> [String] {
        let secret: Set<String> = ["--token-command", "--client-secret", "--token"]
        var out: [String] = []
        var hideNext = false
        for argument in arguments {
            if hideNext {
                out.append("…")
                hideNext = false
                continue
            }
            if let flag = secret.first(where: { argument.hasPrefix($0 + "=") }) {
                out.append(flag + "=…")
                continue
            }
            hideNext = secret.contains(argument)
            out.append(argument)
        }
        return out
    }

    static func current() -> LockHolder {
        let arguments = Self.redacted(CommandLine.arguments)
        let program = arguments.first.map { ($0 as NSString).lastPathComponent } ?? "licensedesk"
        return LockHolder(
            user: ActorIdentity.current().name, pid: getpid(), command: ([program] + arguments.dropFirst()).joined(separator: " "),
            since: Date())
    }

    func write(directory: String) {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        guard let data = try? StateJSON.line(self) else { return }
        let temporary = "\(path).tmp.\(getpid()).\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, StateStore.fileMode(forDirectory: directory))
        guard fd >= 0 else { return }
        fchmod(fd, StateStore.fileMode(forDirectory: directory))
        let written = DurableFile.writeAll(data, to: fd)
        close(fd)
        if !written || rename(temporary, path) != 0 { unlink(temporary) }
    }

    static func read(directory: String) -> LockHolder? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = try? DurableFile.read(path) else { return nil }
        return try? StateJSON.decoder().decode(LockHolder.self, from: data)
    }

    /// "waiting for alice (pid 4242, `licensedesk process`, since 09:14:03) to finish…"
    var waitingText: String {
        let formatter = ISO8601DateFormatter()
        let alive = kill(pid, 0) == 0 || errno == EPERM
        let who = "\(user) (pid \(pid), `\(command.prefix(120))`, since \(formatter.string(from: since)))"
        return alive
            ? "the state is locked by \(who); waiting for it to finish…"
            : "the state was last locked by \(who), which is no longer running; waiting for the lock…"
    }
}

extension StateStore {
    /// What to do, once, when a change has waited a second for another admin's lock: the text
    /// names the holder (user, pid, command, since when). Holder text is another admin's:
    /// make it inert before it reaches a terminal.
    public static func onLockWait(_ notice: @escaping @Sendable (String) -> Void) {
        DirectoryLock.waitNotice = notice
    }
}
