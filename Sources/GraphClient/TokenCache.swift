import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tokens kept between runs for one admin: `$XDG_CACHE_HOME/licensedesk/tokens/<key>.json`
/// (else `~/.cache/…`), the folder 0700 and each file 0600, in the admin's own home and never in
/// the shared state. A file that is a link, is not the admin's, or that others may read is not
/// used (and said so): a token in it may have been read or planted.
public struct TokenCache: Sendable {
    let file: String
    /// Said when a cache file is set aside.
    let warn: @Sendable (String) -> Void

    /// `key`: what tells one sign-in from another (authority, tenant, client, scopes).
    public init(key: String, warn: @escaping @Sendable (String) -> Void) {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.cache"
        file = cache + "/licensedesk/tokens/" + FNVHash.hex(key) + ".json"
        self.warn = warn
    }

    var folder: String { (file as NSString).deletingLastPathComponent }

    /// The cached token, when there is a usable one.
    func load() -> IssuedToken? {
        // A folder others may write to: they could swap files in it; it is made the admin's alone.
        var folderInfo = stat()
        if lstat(folder, &folderInfo) == 0 {
            guard folderInfo.st_mode & S_IFMT == S_IFDIR, folderInfo.st_uid == getuid() else {
                warn("\(folder) is not a folder of yours; tokens are not cached")
                return nil
            }
            if folderInfo.st_mode & 0o077 != 0 {
                warn("\(folder) was open to others (mode \(String(folderInfo.st_mode & 0o777, radix: 8))); made 0700, its tokens not used")
                chmod(folder, 0o700)
                return nil
            }
        }
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ELOOP { warn("\(file) is a symbolic link; not using it (remove it)") }
            return nil
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size < 1 << 20 else { return nil }
        guard info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            warn("\(file) is not yours alone (owner \(info.st_uid), mode \(String(info.st_mode & 0o777, radix: 8))); not using it — remove it")
            return nil
        }
        var data = Data(count: Int(info.st_size))
        let got = data.withUnsafeMutableBytes { read(fd, $0.baseAddress, Int(info.st_size)) }
        guard got == Int(info.st_size) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(IssuedToken.self, from: data)
    }

    /// Keeps `token` for the next run (a failure to keep it only costs a sign-in then).
    func save(_ token: IssuedToken) {
        guard makeFolder() else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(token) else { return }
        let temporary = "\(file).tmp.\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, data.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, file) == 0 else {
            unlink(temporary)
            return
        }
    }

    /// The folder, made 0700 where missing; refused when it is a link or another's.
    private func makeFolder() -> Bool {
        let parent = (folder as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { return false }
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else {
            warn("\(folder) is not a folder of yours; tokens are not cached")
            return false
        }
        if info.st_mode & 0o077 != 0 { chmod(folder, 0o700) }
        return true
    }
}
