import Foundation
import LicenseStore

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway sshd on a loopback port, with its own host key and a client key for the
/// current user, for testing the console over a real SSH session.
public final class SSHServer {
    public let directory = TemporaryDirectory("licensedesk-sshd")
    public let port: Int
    private let daemon: RunningProcess

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw Unavailable(description: "/usr/sbin/sshd is missing: install openssh-server (.ci/run does)")
        }
        if getuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        for key in ["host_key", "client_key"] {
            let result = try BinaryRunner.runProgram("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory.file(key)])
            guard result.status == 0 else { throw Unavailable(description: "ssh-keygen failed: \(result.standardError)") }
        }
        try FileManager.default.copyItem(atPath: directory.file("client_key.pub"), toPath: directory.file("authorized_keys"))
        port = 20_000 + Int(getpid() % 20_000)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.file("host_key"))
            PidFile \(directory.file("sshd.pid"))
            AuthorizedKeysFile \(directory.file("authorized_keys"))
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin prohibit-password
            AcceptEnv LANG LC_*
            """
        try config.write(toFile: directory.file("sshd_config"), atomically: true, encoding: .utf8)
        daemon = try RunningProcess(["-D", "-e", "-f", directory.file("sshd_config")], binary: "/usr/sbin/sshd")
        guard Self.waitForPort(port) else { throw Unavailable(description: "sshd did not start listening on 127.0.0.1:\(port)") }
    }

    deinit { daemon.kill() }

    /// The ssh command line that runs `remote` on this server in a terminal.
    public func sshCommand(_ remote: String) -> String {
        let user = ActorIdentity.current().name
        return
            "ssh -tt -p \(port) -i \(directory.file("client_key")) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \(user)@127.0.0.1 '\(remote)'"
    }

    static func waitForPort(_ port: Int, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(50_000)
        }
        return false
    }
}
