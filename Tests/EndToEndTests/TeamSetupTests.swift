import Foundation
import TestSupport
import Testing

/// The README's team setup, run as written (with this test's own names) by root, then used by
/// two new OS users who share the state.
@Suite("Team setup from the README")
struct TeamSetupTests {
    /// The shell block after the `team-setup` marker in README.md.
    static func readmeBlock() throws -> String {
        let readme = try String(contentsOfFile: InstallTests.packageRoot + "/README.md", encoding: .utf8)
        let marker = try #require(readme.range(of: "<!-- team-setup"), "README has no team-setup block")
        let rest = readme[marker.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    static func run(_ program: String, _ arguments: [String]) throws -> BinaryRunner.Result {
        try BinaryRunner.runProgram(program, arguments)
    }

    @Test(
        "two admins in the group open the same state; each sees the other's change, through a compaction too",
        .enabled(if: getuid() == 0, "creating OS users and groups needs root"))
    func twoAdmins() throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        let group = "ldteam\(tag)", alice = "ldalice\(tag)", bob = "ldbob\(tag)"
        let profile = "/etc/profile.d/licensedesk-test-\(tag).sh"
        let work = TemporaryDirectory("licensedesk-team")
        chmod(work.path, 0o755)
        // The binary where the new users can run it (the clone may be under a root-only folder).
        try FileManager.default.createDirectory(atPath: work.path + "/bin", withIntermediateDirectories: true)
        let binary = work.path + "/bin/licensedesk"
        try BinaryRunner.copyBinary(to: binary)
        let state = work.path + "/srv/licensedesk"

        for user in [alice, bob] {
            let made = try Self.run("/usr/sbin/useradd", ["--create-home", "--shell", "/bin/sh", user])
            try #require(made.status == 0, "useradd: \(made.standardError)")
        }
        defer {
            for user in [alice, bob] { _ = try? Self.run("/usr/sbin/userdel", ["--remove", user]) }
            _ = try? Self.run("/usr/sbin/groupdel", [group])
            try? FileManager.default.removeItem(atPath: profile)
        }

        // The README's block, as written, but for this test's names; root's umask is hostile.
        let script = try Self.readmeBlock()
            .replacingOccurrences(of: "licensedesk-admins", with: group)
            .replacingOccurrences(of: "/etc/profile.d/licensedesk.sh", with: profile)
            .replacingOccurrences(of: "/srv/licensedesk", with: state)
            .replacingOccurrences(of: "alice", with: alice)
            .replacingOccurrences(of: "bob", with: bob)
        try FileManager.default.createDirectory(atPath: work.path + "/srv", withIntermediateDirectories: true)
        chmod(work.path + "/srv", 0o755)
        let setup = try BinaryRunner.runProgram(
            "/bin/sh", ["-ec", "umask 077\n" + script], environment: ["PATH": work.path + "/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        try #require(setup.status == 0, "the README's team setup failed: \(setup.standardError)")

        var info = stat()
        #expect(stat(state, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o2770)
        var users = stat()
        #expect(stat(state + "/users.json", &users) == 0)
        #expect(users.st_mode & 0o777 == 0o660)
        #expect(users.st_gid == info.st_gid)

        /// A command in the admin's login shell: LICENSEDESK_STATE comes from /etc/profile.d.
        func asAdmin(_ user: String, _ command: String) throws -> BinaryRunner.Result {
            try Self.run("/usr/bin/su", ["-", user, "-c", "\(binary) \(command)"])
        }
        let adele = "adele.vance@contoso.com"
        let aliceChange = try asAdmin(alice, "users set \(adele) department=Finance")
        #expect(aliceChange.status == 0, "\(aliceChange.standardError)")
        let bobSees = try asAdmin(bob, "users show \(adele) --json")
        #expect(bobSees.status == 0, "\(bobSees.standardError)")
        #expect(bobSees.standardOutput.contains("\"department\" : \"Finance\""))

        // Bob changes and folds the journal into new snapshot files (now his); Alice still can.
        #expect(try asAdmin(bob, "users set \(adele) department=Legal").status == 0)
        #expect(try asAdmin(bob, "compact").status == 0)
        let aliceSees = try asAdmin(alice, "users show \(adele) --json")
        #expect(aliceSees.standardOutput.contains("\"department\" : \"Legal\""))
        let aliceAgain = try asAdmin(alice, "skus set-seats ENTERPRISEPACK 40")
        #expect(aliceAgain.status == 0, "\(aliceAgain.standardError)")
        #expect(try asAdmin(bob, "skus show ENTERPRISEPACK --json").standardOutput.contains("\"enabled\" : 40"))
        #expect(try asAdmin(bob, "doctor").status == 0)

        // The audit log names each of them.
        let audit = try asAdmin(alice, "audit").standardOutput
        #expect(audit.contains(alice) && audit.contains(bob))
        // Someone outside the group can't read it at all.
        let outsider = try Self.run("/usr/sbin/runuser", ["-u", "nobody", "--", binary, "status", "--state", state])
        #expect(outsider.status != 0)
    }
}
