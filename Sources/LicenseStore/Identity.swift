import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who is acting, as the audit log records it (`specs/persistence-security.md` §2.4): the OS
/// user, the login uid (kept across su and sudo), and the SSH client as an unverified hint.
public struct ActorIdentity: Codable, Hashable, Sendable {
    public var uid: UInt32
    public var name: String
    public var loginUID: UInt32?
    /// From SSH_CONNECTION; the user controls the environment, so it is only a hint.
    public var sshClient: String?
    public var groups: [String]

    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> ActorIdentity {
        let uid = getuid()
        var name = "uid \(uid)"
        var groups: [String] = []
        if let entry = getpwuid(uid) {
            name = String(cString: entry.pointee.pw_name)
            let primary = entry.pointee.pw_gid
            var count: Int32 = 64
            var ids = [gid_t](repeating: 0, count: 64)
            if getgrouplist(entry.pointee.pw_name, primary, &ids, &count) >= 0 {
                groups = ids.prefix(Int(count)).compactMap { gid in getgrgid(gid).map { String(cString: $0.pointee.gr_name) } }
            }
        }
        var loginUID: UInt32?
        if let text = try? String(contentsOfFile: "/proc/self/loginuid", encoding: .utf8),
            let value = UInt32(text.trimmingCharacters(in: .whitespacesAndNewlines)), value != UInt32.max
        {
            loginUID = value
        }
        let ssh = environment["SSH_CONNECTION"]?.split(separator: " ").first.map(String.init)
        return ActorIdentity(uid: uid, name: name, loginUID: loginUID, sshClient: ssh, groups: groups.sorted())
    }
}
