import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where `licensedesk push` keeps the outcome of each request it sent to a live tenant, so a
/// push that was cut off resumes without sending anything twice: `pushes/<name>.json` in the
/// state directory (the team's, like the journal: it says what was done to their tenant; it
/// never holds a token). Files are read with the state's own checks (no link, a regular file of
/// the directory's group) and replaced durably; `<name>.lock` keeps two pushes of the same
/// changes from running at once.
extension StateStore {
    public static let pushFolder = "pushes"

    /// The record's bytes, or nil when there is none.
    public func pushRecord(named name: String) throws(StateError) -> Data? {
        try Self.checkPushName(name)
        return try DurableFile.read(pushPath(name + ".json"))
    }

    /// Replaces the record, durably (written, fsynced, renamed, the folder fsynced); the step
    /// lines appended since are then in it, and are removed.
    public func savePushRecord(_ data: Data, named name: String) throws(StateError) {
        try Self.checkPushName(name)
        try makePushFolder()
        try DurableFile.replace(pushPath(name + ".json"), with: data, mode: Self.fileMode(forDirectory: directory))
        unlink(pushPath(name + ".steps.jsonl"))
    }

    /// The step lines appended since the record was last replaced, or nil.
    public func pushStepLines(named name: String) throws(StateError) -> Data? {
        try Self.checkPushName(name)
        return try DurableFile.read(pushPath(name + ".steps.jsonl"))
    }

    /// Appends lines (each a step's outcome) and fsyncs them: a batch's outcomes cost their
    /// own bytes, not the whole record's (a push of 50,000 steps would otherwise rewrite it
    /// 5,000 times).
    public func appendPushStepLines(_ data: Data, named name: String) throws(StateError) {
        try Self.checkPushName(name)
        try makePushFolder()
        let path = pushPath(name + ".steps.jsonl")
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, Self.fileMode(forDirectory: directory))
        guard fd >= 0 else {
            if errno == ELOOP { throw .refusedFile(path: path, reason: "is a symbolic link; LicenseDesk writes only its own files") }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .refusedFile(path: path, reason: "is not a regular file; LicenseDesk writes only its own files")
        }
        guard DurableFile.writeAll(data, to: fd), fsync(fd) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    /// The names of the records kept (without `.json`).
    public func pushRecordNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(Self.pushFolder))) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter { (try? Self.checkPushName($0)) != nil }.sorted()
    }

    /// The path of a record's step lines, for messages.
    public func pushStepLinesPath(named name: String) -> String { pushPath(name + ".steps.jsonl") }

    /// The path of a record, for messages.
    public func pushRecordPath(named name: String) -> String { pushPath(name + ".json") }

    /// Holds `<name>.lock` until the returned lock is let go; nil when another process holds it.
    public func lockPush(named name: String) throws(StateError) -> PushLock? {
        try Self.checkPushName(name)
        try makePushFolder()
        let path = pushPath(name + ".lock")
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, Self.fileMode(forDirectory: directory))
        guard fd >= 0 else {
            if errno == ELOOP { throw .refusedFile(path: path, reason: "is a symbolic link; LicenseDesk locks only its own files") }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .refusedFile(path: path, reason: "is not a regular file; LicenseDesk locks only its own files")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return PushLock(descriptor: fd)
    }

    private func pushPath(_ file: String) -> String { path(Self.pushFolder) + "/" + file }

    private func makePushFolder() throws(StateError) {
        let folder = path(Self.pushFolder)
        var info = stat()
        if lstat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .refusedFile(path: folder, reason: "is \(StateFilePolicy.describe(info.st_mode & S_IFMT)), not the folder push keeps its records in")
            }
            return
        }
        // The state directory's own mode for the team's folder (group-shared where it is).
        var parent = stat()
        let mode: mode_t = stat(directory, &parent) == 0 ? parent.st_mode & 0o7777 : 0o700
        guard mkdir(folder, mode) == 0 || errno == EEXIST else { throw .io(path: folder, reason: String(cString: strerror(errno))) }
        chmod(folder, mode)
    }

    /// A name of letters, digits, `-` and `_`: never a path.
    static func checkPushName(_ name: String) throws(StateError) {
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .io(path: name, reason: "not a push record name")
        }
    }
}

/// An exclusive hold on one push record, let go when this is.
public final class PushLock: @unchecked Sendable {
    private let descriptor: Int32
    init(descriptor: Int32) { self.descriptor = descriptor }
    deinit { close(descriptor) }
}
