import Foundation
import LicenseStore
import TestSupport
import Testing

/// Class 11: recovery touches only its own files, and reading needs no free space and no
/// write access.
@Suite("Trust: recovery touches only its own files; reading needs no space and no write access", .serialized)
struct RecoveryTrustTests {
    @Test("a teammate's files that look like temp files survive recovery; LicenseDesk's own leftovers go")
    func onlyOwnLeftovers() throws {
        let state = try TrustState()
        let foreign = [
            "notes.tmp.txt", "plan.next", "users.json.tmp.notes", "my.json.next", "users.json.tmp.12.ab", "roles.json.next",
            "roles.json.tmp.11.22", "audit.jsonl.next", "audit.jsonl.tmp.5.6", "users.json.next.tmp.١٢.٣", "users.json.next.tmp.𝟙.𝟚",
        ]
        for name in foreign { try "mine".write(toFile: state.file(name), atomically: false, encoding: .utf8) }
        let ours = ["users.json.next.tmp.4242.17", "groups.json.next", "journal.jsonl.tmp.1.2", "state.lock.holder.tmp.7.8"]
        for name in ours { try "leftover".write(toFile: state.file(name), atomically: false, encoding: .utf8) }
        // Reach history/ too: a compaction makes it, a crash leaves a temp file in it.
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=X"]).status == 0)
        #expect(try state.run(["compact"]).status == 0)
        let history = state.file("history")
        try "leftover".write(toFile: history + "/journal-0000000001-0000000001.jsonl.tmp.99.1", atomically: false, encoding: .utf8)
        try "mine".write(toFile: history + "/journal-notes.tmp.txt", atomically: false, encoding: .utf8)
        for name in ours { try "leftover".write(toFile: state.file(name), atomically: false, encoding: .utf8) }
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=Y"]).status == 0)
        for name in foreign { #expect(FileManager.default.fileExists(atPath: state.file(name)), "\(name) was deleted") }
        for name in ours { #expect(!FileManager.default.fileExists(atPath: state.file(name)), "\(name) was left") }
        #expect(!FileManager.default.fileExists(atPath: history + "/journal-0000000001-0000000001.jsonl.tmp.99.1"))
        #expect(FileManager.default.fileExists(atPath: history + "/journal-notes.tmp.txt"))
    }

    /// A compaction cut short after its commit point: the new snapshot as `.next` files and
    /// `compaction.json`, the old files still in place.
    func interruptedCompaction() throws -> TrustState {
        let state = try TrustState()
        #expect(try state.run(["users", "set", "adele.vance@contoso.com", "department=AfterCompaction"]).status == 0)
        let copy = TemporaryDirectory()
        let compacted = copy.file("state")
        try FileManager.default.copyItem(atPath: state.path, toPath: compacted)
        #expect(try BinaryRunner.run(["compact", "--whole", "--state", compacted]).status == 0)
        for name in StateFileName.all {
            try FileManager.default.copyItem(atPath: compacted + "/" + name, toPath: state.file(name + ".next"))
        }
        try "{\"sequence\": 1}\n".write(toFile: state.file(StateFileName.compaction), atomically: false, encoding: .utf8)
        return state
    }

    @Test("a reader without write access reads a state whose compaction was interrupted, in memory")
    func readerRecoversInMemory() throws {
        guard getuid() == 0 else { return }  // needs another user to be the reader
        let state = try interruptedCompaction()
        chmod(state.parent.path, 0o755)
        chmod(state.path, 0o755)
        for name in try FileManager.default.contentsOfDirectory(atPath: state.path) { chmod(state.file(name), 0o644) }
        let before = state.picture()
        let binaryFolder = TemporaryDirectory("licensedesk-binary")
        chmod(binaryFolder.path, 0o755)
        try BinaryRunner.copyBinary(to: binaryFolder.file("licensedesk"))
        let shown = try BinaryRunner.runProgram(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", binaryFolder.file("licensedesk"), "users", "show", "adele.vance@contoso.com",
                "--json", "--state", state.path,
            ])
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("AfterCompaction"))
        #expect(state.picture() == before, "a reader changed the directory")
    }

    @Test("the next writer rolls an interrupted compaction forward and writes the cache again")
    func rollForwardRebuildsCache() throws {
        let state = try interruptedCompaction()
        unlink(state.file(StateFileName.cache))
        #expect(try state.run(["status"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: state.file(StateFileName.compaction)))
        #expect(FileManager.default.fileExists(atPath: state.file(StateFileName.cache)), "loads would parse the JSON until the next compaction")
        let shown = try state.run(["users", "show", "adele.vance@contoso.com", "--json"])
        #expect(shown.standardOutput.contains("AfterCompaction"))
    }

    @Test(
        "on a full disk, reads work (recovering in memory), a change is refused with nothing half-written, and a saved change whose compaction fails exits 0",
        .enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func fullDisk() throws {
        guard let mountPoint = SmallDisk() else {
            Issue.record("could not mount a tmpfs")
            return
        }
        let path = mountPoint.file("state")
        #expect(try BinaryRunner.run(["init", "--state", path]).status == 0)
        #expect(try BinaryRunner.run(["users", "set", "adele.vance@contoso.com", "department=BeforeFull", "--state", path]).status == 0)
        // Something for recovery to do: a torn journal tail.
        let journal = try #require(FileHandle(forWritingAtPath: path + "/" + StateFileName.journal))
        journal.seekToEndOfFile()
        journal.write(Data("{\"v\":2,\"chec".utf8))
        try journal.close()
        // Fill the disk.
        let filler = try mountPoint.fill()
        let status = try BinaryRunner.run(["users", "show", "adele.vance@contoso.com", "--json", "--state", path])
        #expect(status.status == 0, "a read needed free space: \(status.standardError)")
        #expect(status.standardOutput.contains("BeforeFull"))
        let journalBefore = FileManager.default.contents(atPath: path + "/" + StateFileName.journal)
        let change = try BinaryRunner.run(["users", "set", "alex.wilber@contoso.com", "department=NoRoom", "--state", path])
        #expect(change.status == 2, "\(change.standardError)")
        #expect(FileManager.default.contents(atPath: path + "/" + StateFileName.journal) == journalBefore)
        let after = try BinaryRunner.run(["users", "show", "alex.wilber@contoso.com", "--json", "--state", path])
        #expect(!after.standardOutput.contains("NoRoom"), "a refused change landed")
        // Room for journal lines but not for a compaction: every change is saved and says so.
        try FileManager.default.removeItem(atPath: filler)
        FileManager.default.createFile(atPath: filler, contents: nil)
        let again = try #require(FileHandle(forWritingAtPath: filler))
        let free = (try FileManager.default.attributesOfFileSystem(forPath: mountPoint.path)[.systemFreeSize] as? NSNumber)?.intValue ?? 0
        let keep = 64 * 1024
        var room = free - keep
        while room > 0, (try? again.write(contentsOf: Data(repeating: 0x41, count: min(room, 65536)))) != nil { room -= 65536 }
        try? again.close()
        let churn = try RunningProcess(["debug", "churn", "--count", "20", "--users", "3", "--compact-every", "5", "--state", path])
        #expect(churn.wait() == 0, "a saved change was reported as failed")
        #expect(churn.output.filter { $0.hasPrefix("ack ") }.count == 20)
        let final = try BinaryRunner.run(["status", "--json", "--state", path])
        #expect(final.status == 0)
    }

    @Test(
        "init --force that runs out of disk puts the old state back: nothing lost, nothing half-new",
        .enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func startOverOnFullDisk() throws {
        guard let mountPoint = SmallDisk() else {
            Issue.record("could not mount a tmpfs")
            return
        }
        let path = mountPoint.file("state")
        #expect(try BinaryRunner.run(["init", "--state", path]).status == 0)
        #expect(try BinaryRunner.run(["users", "set", "adele.vance@contoso.com", "department=KeepMe", "--state", path]).status == 0)
        let filler = try mountPoint.fill()
        let forced = try BinaryRunner.run(["init", "--empty", "--force", "--state", path])
        #expect(forced.status == 2, "\(forced.standardError)")
        try FileManager.default.removeItem(atPath: filler)
        let shown = try BinaryRunner.run(["users", "show", "adele.vance@contoso.com", "--json", "--state", path])
        #expect(shown.status == 0, "the old tenant is gone: \(shown.standardError)")
        #expect(shown.standardOutput.contains("KeepMe"))
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(!names.contains { $0.hasPrefix("replaced-") || $0.hasSuffix(".next") }, "\(names)")
    }
}

/// A 2 MB tmpfs mounted for one test (root only), unmounted when the value goes away.
final class SmallDisk {
    let folder = TemporaryDirectory("licensedesk-full")
    var path: String { folder.path }

    init?() {
        guard (try? BinaryRunner.runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", folder.path]))?.status == 0 else {
            return nil
        }
    }

    func file(_ name: String) -> String { folder.file(name) }

    /// Fills what is left with one file, and returns its path.
    func fill() throws -> String {
        let filler = file("filler")
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        while (try? handle.write(contentsOf: Data(repeating: 0x41, count: 4096))) != nil {}
        try? handle.close()
        return filler
    }

    deinit { _ = try? BinaryRunner.runProgram("/bin/umount", [folder.path]) }
}
