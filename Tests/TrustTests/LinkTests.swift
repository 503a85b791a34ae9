import Foundation
import LicenseStore
import TestSupport
import Testing

/// Class 3: nothing is read or written through a link.
@Suite("Trust: nothing is read or written through a link")
struct LinkTests {
    static let stateFiles = StateFileName.all + [StateFileName.journal, StateFileName.roles, StateFileName.audit]

    @Test("a state file swapped for a link to another admin's private file: refused by name, no copy of it anywhere", arguments: stateFiles)
    func linkToPrivateFile(name: String) throws {
        let state = try TrustState()
        _ = try state.run(["users", "set", "adele.vance@contoso.com", "department=Journaled"])
        let secret = SecretFile()
        unlink(state.file(name))
        #expect(symlink(secret.path, state.file(name)) == 0)
        // The commands that must read the file, and so must refuse it.
        let readers: [[String]] =
            switch name {
            case StateFileName.roles: [["users", "set", "adele.vance@contoso.com", "department=Other"], ["compact"]]
            case StateFileName.audit: [["audit"]]
            default: [["status"], ["users", "set", "adele.vance@contoso.com", "department=Other"], ["doctor"], ["compact"]]
            }
        var outputs = ""
        for command in [["status"], ["users", "set", "adele.vance@contoso.com", "department=Other"], ["audit"], ["doctor"], ["compact"]] {
            let result = try state.run(command)
            outputs += result.standardOutput + result.standardError
            if readers.contains(command) {
                #expect(result.status != 0, "\(command) read through the link to \(name)")
                #expect(result.standardError.contains(name) || result.standardOutput.contains(name), "\(command): \(result.standardError)")
            }
        }
        #expect(!outputs.contains(secret.marker), "the private file's contents were printed")
        #expect(!state.anyFileContains(secret.marker), "the private file's contents were copied into the state")
        var info = stat()
        #expect(lstat(state.file(name), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link itself stays for the admin to see")
    }

    @Test("a named pipe in place of users.json is refused at once (no hang)")
    func fifo() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.users))
        unlink(state.file(StateFileName.cache))
        #expect(mkfifo(state.file(StateFileName.users), 0o660) == 0)
        let result = try state.run(["status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("named pipe"), "\(result.standardError)")
    }

    @Test("a directory in place of groups.json is refused by name")
    func directoryInPlace() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.groups))
        unlink(state.file(StateFileName.cache))
        mkdir(state.file(StateFileName.groups), 0o770)
        let result = try state.run(["status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("groups.json") && result.standardError.contains("directory"), "\(result.standardError)")
    }

    @Test("in a group-shared directory, a state file of another group is refused")
    func wrongGroup() throws {
        guard getuid() == 0 else { return }  // only root can give a file to another group here
        let state = try TrustState()
        chmod(state.path, 0o2770)
        let users = state.file(StateFileName.users)
        #expect(chown(users, uid_t.max, 65534) == 0)  // nogroup
        unlink(state.file(StateFileName.cache))
        let result = try state.run(["status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("users.json") && result.standardError.contains("belongs to group"), "\(result.standardError)")
    }

    @Test("a damaged file is kept by a second name of the same file (no bytes read or rewritten), and only once")
    func setAsideByLink() throws {
        let state = try TrustState()
        unlink(state.file(StateFileName.cache))
        try "{\"value\": [ {\"id\": ".write(toFile: state.file(StateFileName.users), atomically: false, encoding: .utf8)
        chmod(state.file(StateFileName.users), 0o600)
        for _ in 0..<3 { #expect(try state.run(["status"]).status == 2) }
        let copies = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix("users.json.corrupt-") }
        #expect(copies.count == 1)
        var original = stat()
        var copy = stat()
        #expect(lstat(state.file(StateFileName.users), &original) == 0)
        #expect(lstat(state.file(copies[0]), &copy) == 0)
        #expect(original.st_ino == copy.st_ino, "the copy is the same file, not a rewrite")
        #expect(copy.st_mode & 0o777 == 0o600, "the copy keeps the file's own mode")
    }
}
