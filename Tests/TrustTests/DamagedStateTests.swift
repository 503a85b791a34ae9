import Foundation
import LicenseStore
import TestSupport
import Testing

/// Class 1: a damaged state is never taken for a new one.
@Suite("Trust: a damaged state is never taken for a new one")
struct DamagedStateTests {
    static let snapshotFiles = StateFileName.all

    @Test("a snapshot file gone: every command refuses, names it, points at doctor, and writes nothing", arguments: snapshotFiles)
    func missingFile(name: String) throws {
        let state = try TrustState()
        _ = try state.run(["users", "set", "adele.vance@contoso.com", "department=Journaled"])
        try FileManager.default.removeItem(atPath: state.file(name))
        let before = state.picture()
        for command in [["status"], ["users", "list"], ["process"], ["skus", "set-seats", "ENTERPRISEPACK", "99"]] {
            let result = try state.run(command)
            #expect(result.status == 2, "\(command): \(result.standardError)")
            #expect(result.standardError.contains("damaged"), "\(command): \(result.standardError)")
            #expect(result.standardError.contains("\(name) is missing"), "\(result.standardError)")
            #expect(result.standardError.contains("doctor"))
            #expect(!result.standardError.contains("seeded"))
        }
        #expect(state.picture() == before, "a refused command changed the directory")
        let doctor = try state.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.standardOutput.contains("✗ \(name): missing"), "\(doctor.standardOutput)")
    }

    @Test("a snapshot file replaced by a dangling link: refused by name, never seeded over", arguments: snapshotFiles)
    func danglingLink(name: String) throws {
        let state = try TrustState()
        try FileManager.default.removeItem(atPath: state.file(name))
        symlink("/nonexistent/\(name)", state.file(name))
        let before = state.picture()
        let result = try state.run(["status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains(name) && result.standardError.contains("symbolic link"), "\(result.standardError)")
        #expect(!result.standardError.contains("seeded"))
        #expect(state.picture() == before)
    }

    @Test("only a journal left: damaged, not new")
    func onlyJournal() throws {
        let state = try TrustState()
        _ = try state.run(["users", "set", "adele.vance@contoso.com", "department=Journaled"])
        for name in Self.snapshotFiles { unlink(state.file(name)) }
        unlink(state.file(StateFileName.cache))
        let result = try state.run(["status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("damaged"), "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: state.file(StateFileName.journal)))
        #expect(!FileManager.default.fileExists(atPath: state.file(StateFileName.organization)))
    }

    @Test("a directory of someone else's files is not seeded; an empty one is")
    func foreignDirectory() throws {
        let folder = TemporaryDirectory()
        folder.write("my notes", to: "notes.txt")
        let result = try BinaryRunner.run(["status", "--state", folder.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("not a LicenseDesk state"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
        let empty = TemporaryDirectory()
        let seeded = try BinaryRunner.run(["status", "--state", empty.path])
        #expect(seeded.status == 0)
        #expect(seeded.standardError.contains("seeded the built-in demo tenant"))
    }
}
