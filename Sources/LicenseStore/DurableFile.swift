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

    /// How much a big file's writer leaves unsynced at most (`replace`).
    static let flushEvery = 4 << 20

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
        // A big file is handed to the disk as it is written, 4 MB at a time, however it is
        // handed over (a desk file of tens of MB comes in one piece): dirty pages left for one
        // fsync at the end stall every other admin's journal fsync behind them, since ext4
        // commits them in the same transaction (saves of 27–36 ms at a million users with 32 MB).
        // (`sync_file_range` would overlap the writing, but Swift's Glibc does not export it.)
        let flushEvery = Self.flushEvery
        var unflushed = 0
        do {
            try produce { data in
                var rest = data[...]
                while !rest.isEmpty {
                    let piece = rest.prefix(flushEvery - unflushed)
                    if !writeAll(piece, to: fd) { throw WriteFailed() }
                    rest = rest.dropFirst(piece.count)
                    unflushed += piece.count
                    if unflushed >= flushEvery {
                        fdatasync(fd)
                        unflushed = 0
                    }
                }
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
        CrashPoint.pass("write \(CrashPoint.name(temporary))")
        guard written, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: temporary, reason: reason)
        }
        close(fd)
        closed = true
        CrashPoint.pass("fsync \(CrashPoint.name(temporary))")
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: path, reason: reason)
        }
        CrashPoint.pass("rename to \(CrashPoint.name(path))")
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
        CrashPoint.pass("fsync the directory \(CrashPoint.name(directory))")
    }

    /// The file's bytes, or nil when there is no file. Never through a link: the file is opened
    /// `O_NOFOLLOW` and must be a regular file (a symbolic link, a directory or a FIFO someone put
    /// in its place is refused by name), and in a group-shared directory it must belong to the
    /// directory's group (`StateFilePolicy`). `mapped`: mapped rather than copied (safe because
    /// state files are only ever replaced by rename, never rewritten in place, so the mapped
    /// inode does not change under the reader).
    static func read(_ path: String, mapped: Bool = false) throws(StateError) -> Data? {
        guard let (fd, info) = try openChecked(path) else { return nil }
        defer { close(fd) }
        let size = Int(info.st_size)
        if size == 0 { return Data() }
        if mapped, let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED {
            return Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
        }
        var data = Data(count: size)
        var offset = 0
        let failed = data.withUnsafeMutableBytes { buffer -> Bool in
            while offset < size {
                let got = Glibc.read(fd, buffer.baseAddress! + offset, size - offset)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { return got < 0 }
                offset += got
            }
            return false
        }
        if failed { throw .io(path: path, reason: String(cString: strerror(errno))) }
        // A file that shrank while read (it never should: files are replaced, not rewritten).
        if offset < size { data.count = offset }
        return data
    }

    /// The first `bytes` bytes of a state file (fewer if it is shorter), with the same checks as
    /// `read`; nil when it is absent.
    static func readHead(_ path: String, bytes: Int) throws(StateError) -> Data? {
        guard let (fd, info) = try openChecked(path) else { return nil }
        defer { close(fd) }
        let size = min(bytes, Int(info.st_size))
        var data = Data(count: size)
        var done = 0
        let failed = data.withUnsafeMutableBytes { buffer -> Bool in
            while done < size {
                let got = pread(fd, buffer.baseAddress! + done, size - done, off_t(done))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { return got < 0 }
                done += got
            }
            return false
        }
        if failed { throw .io(path: path, reason: String(cString: strerror(errno))) }
        if done < size { data.count = done }
        return data
    }

    /// The bytes of a state file from `offset` on, with the same checks as `read` (no link, a
    /// regular file of the directory's group), and which file it was. nil when it is absent.
    static func readTail(_ path: String, from offset: Int) throws(StateError) -> (data: Data, identity: FileIdentity)? {
        guard let (fd, info) = try openChecked(path) else { return nil }
        defer { close(fd) }
        let identity = FileIdentity(info)
        let size = Int(info.st_size)
        guard size > offset else { return (Data(), identity) }
        var data = Data(count: size - offset)
        var done = 0
        let failed = data.withUnsafeMutableBytes { buffer -> Bool in
            while done < size - offset {
                let got = pread(fd, buffer.baseAddress! + done, size - offset - done, off_t(offset + done))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { return got < 0 }
                done += got
            }
            return false
        }
        if failed { throw .io(path: path, reason: String(cString: strerror(errno))) }
        if done < size - offset { data.count = done }
        return (data, identity)
    }

    /// Opens a state file for reading the one safe way: never through a link, never blocking
    /// on a FIFO, and only a regular file of the directory's group (`StateFilePolicy`). nil when
    /// it is absent; the caller closes the descriptor.
    private static func openChecked(_ path: String) throws(StateError) -> (Int32, stat)? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .refusedFile(path: path, reason: "is a symbolic link, not a file; LicenseDesk never reads through a link") }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, reason: reason)
        }
        do { try StateFilePolicy.check(info, path: path) } catch {
            close(fd)
            throw error
        }
        return (fd, info)
    }

    /// Whether a name in the directory is there at all, link or not (`lstat`).
    static func isPresent(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// Which file a path named when it was opened (device and inode) and how long it was: a
/// journal replaced by compaction or cut back by recovery is another file, or a shorter one.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
    }

    func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}
