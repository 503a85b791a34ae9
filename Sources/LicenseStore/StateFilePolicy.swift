import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a state file must be before LicenseDesk reads it: a regular file (not a link, a
/// directory, a FIFO or a device someone put in its place), and, in a group-shared directory
/// (setgid), one that belongs to the directory's group. A teammate who swaps `users.json` for a
/// link to another admin's private file, or to `/etc/shadow` for when root runs a command, gets
/// a refusal naming the file, never a copy of its target.
enum StateFilePolicy {
    static func check(_ info: stat, path: String) throws(StateError) {
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw .refusedFile(path: path, reason: "is \(describe(kind)), not a regular file; LicenseDesk reads only its own files")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var folder = stat()
        guard stat(directory, &folder) == 0, folder.st_mode & S_ISGID != 0 else { return }
        if info.st_gid != folder.st_gid {
            throw .refusedFile(
                path: path,
                reason: "belongs to group \(groupName(info.st_gid)), not to the state's group \(groupName(folder.st_gid)); "
                    + "a file the team's group does not own was put here by hand (check it, then `chgrp` it or move it away)")
        }
    }

    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFREG: "a regular file"
        default: "not a regular file"
        }
    }

    static func groupName(_ id: gid_t) -> String {
        guard let entry = getgrgid(id) else { return "\(id)" }
        return String(cString: entry.pointee.gr_name)
    }
}
