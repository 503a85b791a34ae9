import Foundation
import LicenseStore
import TestSupport
import Testing

@Suite("Access to a state directory", .serialized)
struct AccessTests {
    /// Runs the binary as `nobody` when the tests run as root (root may write anywhere), else
    /// as ourselves on a directory with its write bits taken away.
    func runReadOnly(_ arguments: [String], directory: String) throws -> BinaryRunner.Result {
        if getuid() == 0 {
            // A copy nobody can reach: the clone may live under a directory only root can enter.
            let copy = TemporaryDirectory("licensedesk-binary")
            chmod(copy.path, 0o755)
            let binary = copy.file("licensedesk")
            try BinaryRunner.copyBinary(to: binary)
            return try withExtendedLifetime(copy) {
                try BinaryRunner.runProgram(
                    "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments)
            }
        }
        return try BinaryRunner.run(arguments)
    }

    @Test("a state directory the user can't write opens read-only: reads work, changes are refused")
    func readOnly() throws {
        let parent = TemporaryDirectory()
        let directory = parent.file("state")
        #expect(try BinaryRunner.run(["init", "--state", directory]).status == 0)
        // World-readable, writable by nobody but the owner.
        chmod(parent.path, 0o755)
        chmod(directory, 0o755)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) { chmod(directory + "/" + name, 0o644) }
        if getuid() != 0 { chmod(directory, 0o555) }
        defer { chmod(directory, 0o755) }
        let status = try runReadOnly(["status", "--state", directory], directory: directory)
        #expect(status.status == 0)
        #expect(status.standardOutput.contains("Contoso Ltd"))
        #expect(status.standardError.contains("read-only"))
        let change = try runReadOnly(["skus", "set-seats", "ENTERPRISEPACK", "99", "--state", directory], directory: directory)
        #expect(change.status == 1)
        #expect(change.standardError.contains("read-only"))
        let after = try BinaryRunner.run(["skus", "show", "ENTERPRISEPACK", "--json", "--state", directory])
        #expect(after.standardOutput.contains("\"enabled\" : 36"))
    }

    @Test("init --shared hands the directory to the group (2770, files 0660); an unknown group is refused, nothing made")
    func initShared() throws {
        let parent = TemporaryDirectory()
        let directory = parent.file("state")
        // The caller's own primary group: one any user may give files to.
        let group = String(cString: getgrgid(getgid())!.pointee.gr_name)
        let made = try BinaryRunner.run(["init", "--shared", group, "--state", directory])
        #expect(made.status == 0, "\(made.standardError)")
        #expect(made.standardOutput.contains("shared with group \(group)"))
        var info = stat()
        #expect(stat(directory, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o2770)
        #expect(info.st_gid == getgid())
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var file = stat()
            #expect(stat(directory + "/" + name, &file) == 0)
            #expect(file.st_mode & 0o777 == 0o660, "\(name)")
        }

        let unknown = try BinaryRunner.run(["init", "--shared", "no-such-group-\(getpid())", "--state", parent.file("other")])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no such OS group"))
        #expect(!FileManager.default.fileExists(atPath: parent.file("other") + "/users.json"))
        let both = try BinaryRunner.run(["init", "--shared", group, "--private", "--state", parent.file("other")])
        #expect(both.status == 2)
        #expect(both.standardError.contains("choose one of --private and --shared"))
    }

    @Test("a roles file limits what an admin may do, and the refusal names the role")
    func rolesFile() throws {
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        let me = ActorIdentity.current().name
        try #"{"users": {"\#(me)": ["Global Reader"]}, "groups": {}}"#.write(
            toFile: directory.file("roles.json"), atomically: true, encoding: .utf8)
        let refused = try BinaryRunner.run(["groups", "reprocess", "E3 All", "--state", directory.path])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("needs the License Administrator or Global Administrator role"))
        try #"{"users": {"\#(me)": ["License Administrator"]}, "groups": {}}"#.write(
            toFile: directory.file("roles.json"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["groups", "reprocess", "E3 All", "--state", directory.path]).status == 0)
        let wrongRole = try BinaryRunner.run(["groups", "set-rule", "E3 All", "user.city -eq \"x\"", "--state", directory.path])
        #expect(wrongRole.status == 1)
        #expect(wrongRole.standardError.contains("Groups Administrator"))
        try #"{"users": {"\#(me)": ["Supreme Leader"]}}"#.write(toFile: directory.file("roles.json"), atomically: true, encoding: .utf8)
        let bad = try BinaryRunner.run(["groups", "reprocess", "E3 All", "--state", directory.path])
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("roles.json") && bad.standardError.contains("is not a role"))
    }

    @Test("audit names the OS user and the change, and filters by user and object")
    func auditCommand() throws {
        let directory = TemporaryDirectory()
        _ = try BinaryRunner.run(["init", "--state", directory.path])
        _ = try BinaryRunner.run(["skus", "set-seats", "EMS", "11", "--state", directory.path])
        _ = try BinaryRunner.run(["groups", "plan", "disable", "E3 All", "ENTERPRISEPACK", "SWAY", "--state", directory.path])
        let me = ActorIdentity.current().name
        let all = try BinaryRunner.run(["audit", "--state", directory.path])
        #expect(all.standardOutput.contains("\(me)  Update subscription  EMS: seats: 10 -> 11"))
        #expect(all.standardOutput.contains("Set group license  E3 All: ENTERPRISEPACK: 16 of 16 -> 15 of 16 enabled"))
        let filtered = try BinaryRunner.run(["audit", "--object", "E3 All", "--json", "--state", directory.path])
        let records = try JSONSerialization.jsonObject(with: Data(filtered.standardOutput.utf8)) as? [[String: Any]]
        #expect(records?.count == 1)
        #expect(try BinaryRunner.run(["audit", "--user", "nobody-else", "--state", directory.path]).standardOutput.isEmpty)
    }
}
