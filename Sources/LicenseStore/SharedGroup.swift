import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An OS group of admins who share one state directory (`licensedesk init --shared <group>`).
public struct SharedGroup: Sendable, Equatable {
    public let name: String
    public let id: gid_t

    /// Looks the group up by name (or number), refusing one the system does not know.
    public init(named name: String) throws(StateError) {
        var group = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getgrnam_r(name, &group, &buffer, buffer.count, &result) == 0, result != nil {
            self.name = String(cString: group.gr_name)
            self.id = group.gr_gid
        } else if let number = gid_t(name), getgrgid_r(number, &group, &buffer, buffer.count, &result) == 0, result != nil {
            self.name = String(cString: group.gr_name)
            self.id = number
        } else {
            throw .io(path: name, reason: "no such OS group: create it first (groupadd \(name)) and add the admins to it")
        }
    }

    /// Hands the directory and the files in it to the group: `2770` directory (new files inherit
    /// the group), `0660` files, whatever the umask. Only root or a member of the group may give
    /// a file to it; anyone else is told so.
    func adopt(directory: String) throws(StateError) {
        try give(directory, mode: 0o2770)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            let path = directory + "/" + name
            var info = stat()
            // Regular files only, and never through a symbolic link someone planted.
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            try give(path, mode: 0o660)
        }
    }

    private func give(_ path: String, mode: mode_t) throws(StateError) {
        if lchown(path, uid_t.max, id) != 0 {
            let reason =
                errno == EPERM
                ? "can't give it to group \(name): you are not a member (run as root, or add yourself and log in again)"
                : String(cString: strerror(errno))
            throw .io(path: path, reason: reason)
        }
        // chown clears the setgid bit for non-root callers on some systems: set the mode after.
        guard chmod(path, mode) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }
}
