import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Durable, atomic replacement of one file (`specs/persistence-security.md` §1.7): a temp file
/// opened O_EXCL with an explicit mode, written, fsynced, renamed over the target, and the
/// directory fsynced. Foundation's `Data.write(.atomic)` skips the directory fsync and resets
/// the mode, so it is not used.
enum DurableFile {
    static let fileMode: mode_t = 0o660

    static func replace(_ path: String, with data: Data, mode: mode_t = fileMode) throws(StateError) {
        try replace(path, mode: mode) { write in try write(data) }
    }

    /// The same, with the contents handed over in pieces by `produce` (a file too big to hold
    /// in memory at once). An error from `produce` leaves the target as it was.
    static func replace(
        _ path: String, mode: mode_t = fileMode, produce: (_ write: (Data) throws -> Void) throws -> Void
    ) throws(StateError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).tmp.\(getpid()).\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        fchmod(fd, mode)
        struct WriteFailed: Error {}
        var written = true
        var failure: Error?
        do {
            try produce { data in
                if !writeAll(data, to: fd) { throw WriteFailed() }
            }
        } catch is WriteFailed {
            written = false
        } catch {
            failure = error
        }
        if let failure {
            unlink(temporary)
            throw .io(path: path, reason: "could not encode: \(failure)")
        }
        guard written, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: temporary, reason: reason)
        }
        close(fd)
        closed = true
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: path, reason: reason)
        }
        syncDirectory(directory)
    }

    /// Writes all of `data` to `fd`, retrying short writes and EINTR; false on an error (errno
    /// says which).
    static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let result = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += result
            }
            return true
        }
    }

    static func syncDirectory(_ directory: String) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// The file's bytes, or nil when there is no file. `mapped`: mapped rather than copied
    /// (safe here because state files are only ever replaced by rename, never rewritten in
    /// place, so the mapped inode does not change under the reader).
    static func read(_ path: String, mapped: Bool = false) throws(StateError) -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .alwaysMapped : []) } catch {
            throw .io(path: path, reason: error.localizedDescription)
        }
    }
}

/// An exclusive advisory lock on the state directory's lock file, held while a change is
/// read-applied-written. Opened O_RDONLY: flock needs no write access and the file may belong
/// to another admin. The kernel drops it if the process dies.
final class DirectoryLock {
    private let fd: Int32

    /// Exclusive for writers; shared for readers, so a reader never sees a compaction half done.
    init(directory: String, exclusive: Bool = true, wait: Bool = true) throws(StateError) {
        let path = (directory as NSString).appendingPathComponent(StateFileName.lock)
        var descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if descriptor < 0 && errno == ENOENT {
            descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, DurableFile.fileMode)
            if descriptor >= 0 { fchmod(descriptor, StateStore.fileMode(forDirectory: directory)) }
        }
        fd = descriptor
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        while flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, reason: "could not lock: \(reason)")
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
