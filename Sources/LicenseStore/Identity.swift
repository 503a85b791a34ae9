import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who is acting, as the audit log records it (`specs/persistence-security.md` §2.4): the OS
/// user, the login uid (kept across su and sudo), and the SSH client as an unverified hint.
public struct ActorIdentity: Codable, Hashable, Sendable {
    enum CodingKeys: String, CodingKey {
        case uid = "uid", name = "name", loginUID = "loginUID", sshClient = "sshClient", groups = "groups"
    }
    public var uid: UInt32
    public var name: String
    public var loginUID: UInt32?
    /// From SSH_CONNECTION; the user controls the environment, so it is only a hint.
    public var sshClient: String?
    public var groups: [String]

    /// The identity of this process, looked up once: the passwd and group look-ups below are
    /// not all reentrant, and tests commit from many threads at once.
    public static func current() -> ActorIdentity { cached }

    /// An admin this process acts for (a `serve` token's admin): their name, this process's
    /// uid and login uid, so the audit says both who asked and which account carried it out.
    public static func actingFor(_ admin: String) -> ActorIdentity {
        ActorIdentity(uid: cached.uid, name: admin, loginUID: cached.loginUID, sshClient: nil, groups: [])
    }
    private static let cached = lookUp(environment: ProcessInfo.processInfo.environment)

    static func lookUp(environment: [String: String]) -> ActorIdentity {
        let uid = getuid()
        var name = "uid \(uid)"
        var groups: [String] = []
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil {
            name = String(cString: entry.pw_name)
            var count: Int32 = 64
            var ids = [gid_t](repeating: 0, count: 64)
            if getgrouplist(entry.pw_name, entry.pw_gid, &ids, &count) >= 0 {
                groups = ids.prefix(Int(count)).compactMap(groupName)
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

    private static func groupName(_ gid: gid_t) -> String? {
        var group = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrgid_r(gid, &group, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: group.gr_name)
    }
}
