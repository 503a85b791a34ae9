import Foundation
import LicenseModel
import Synchronization
import TestSupport
import Testing

@testable import LicenseStore

/// Compaction off the commit path: staged without the lock, switched in under it, while other
/// admins commit and read.
@Suite("Compaction in the background")
struct BackgroundCompactionTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "alice")

    func freshStore() throws -> (TemporaryDirectory, StateStore) {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: false)
        return (directory, store)
    }

    func setDepartment(_ user: Int, _ value: String) -> TenantChange {
        .setUserAttributes(userID: DemoTenant.userID(user), values: ["extensionAttribute7": value])
    }

    /// A mark only this copy in memory has (applied, never saved): a state loaded again would
    /// not carry it.
    func markInMemory(_ state: inout LoadedState) throws {
        try state.tenant.apply(
            .setUserAttributes(userID: DemoTenant.userID(20), values: ["extensionAttribute9": "only in memory"]), context: context)
    }

    /// Changes one digit of the checksum of journal line `line` in place (same file, same
    /// length): a reader that reads that line refuses it.
    func damageChecksum(inLine line: Int, of path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var start = bytes.startIndex
        for _ in 1..<line { start = try #require(bytes[start...].firstIndex(of: 0x0A)) + 1 }
        let checksum = try #require(bytes[start...].firstRange(of: Data(#""checksum":""#.utf8)))
        bytes[checksum.upperBound] = bytes[checksum.upperBound] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    func isMarked(_ state: LoadedState) -> Bool {
        state.tenant.user(id: DemoTenant.userID(20))?.extensionAttribute(9) == "only in memory"
    }

    func journalSequences(_ directory: TemporaryDirectory) throws -> [Int] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.journal)))
        return try JournalFile.read(data).entries.map(\.sequence)
    }

    /// Counts what it is told, instead of starting a helper.
    final class RecordingTrigger: CompactionTrigger {
        let told = Mutex(0)
        func compactionIsDue(_ store: StateStore) { told.withLock { $0 += 1 } }
    }

    @Test("a save never compacts: it tells the trigger, after the lock, once the journal is long")
    func savesOnlyTell() throws {
        let (directory, plain) = try freshStore()
        var store = plain
        let trigger = RecordingTrigger()
        store.compactionThreshold = 5
        store.compactionTrigger = trigger
        var state = try store.load()
        for step in 1...7 { try store.commit(setDepartment(1, "D\(step)"), context: context, onto: &state) }
        #expect(trigger.told.withLock { $0 } == 3, "told at the 5th, 6th and 7th entry")
        #expect(try journalSequences(directory) == Array(1...7), "the journal was not folded by a save")
        #expect(state.journalLength == 7)
    }

    @Test("changes saved while a compaction was written are all kept; the journal keeps exactly those")
    func savesDuringStaging() throws {
        let (directory, store) = try freshStore()
        var writer = try store.load()
        for step in 1...4 { try store.commit(setDepartment(1, "Before\(step)"), context: context, onto: &writer) }
        // The compactor's view: the state at entry 4. Then another admin saves three more
        // before it switches (what happens while a big snapshot is being written).
        let view = writer
        for step in 5...7 { try store.commit(setDepartment(2, "During\(step)"), context: context, onto: &writer) }
        guard case .compacted(let report) = try Compactor(store: store).run(from: view) else {
            Issue.record("did not compact")
            return
        }
        #expect(report.sequence == 4)
        #expect(report.entries == 4)
        #expect(try journalSequences(directory) == [5, 6, 7])
        let loaded = try store.load()
        #expect(loaded.sequence == 7)
        #expect(loaded.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "Before4")
        #expect(loaded.tenant.user(id: DemoTenant.userID(2))?.extensionAttribute(7) == "During7")
        #expect(loaded.tenant == writer.tenant)
        #expect(try JournalHistory(store: store).entries().map(\.sequence) == [1, 2, 3, 4])
    }

    @Test("an admin's state in memory goes on across a compaction without being loaded again")
    func readerIsNotReloaded() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var reader = try store.load()
        try markInMemory(&reader)
        var writer = try store.load()
        for step in 1...3 { try store.commit(setDepartment(1, "A\(step)"), context: context, onto: &writer) }
        #expect(try store.refresh(&reader))
        try store.compact()
        for step in 4...5 { try store.commit(setDepartment(1, "A\(step)"), context: context, onto: &writer) }
        #expect(try store.refresh(&reader))
        #expect(reader.sequence == 5)
        #expect(reader.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "A5")
        #expect(isMarked(reader), "the reader was loaded again")
        #expect(reader.journalLength == 2)
    }

    @Test("a state a compaction overtook catches up from the history it kept, and saves on top")
    func overtakenStateCatchesUp() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        var behind = try store.load()
        try markInMemory(&behind)
        var other = try store.load()
        for step in 1...6 { try store.commit(setDepartment(2, "B\(step)"), context: context, onto: &other) }
        try store.compact()
        try store.commit(setDepartment(2, "B7"), context: context, onto: &other)
        // `behind` is at entry 0; the snapshot is at 6 and the journal holds only 7.
        try store.commit(setDepartment(3, "Mine"), context: context, basedOn: behind.basedOn(setDepartment(3, "Mine")), onto: &behind)
        #expect(behind.sequence == 8)
        #expect(behind.tenant.user(id: DemoTenant.userID(2))?.extensionAttribute(7) == "B7")
        #expect(isMarked(behind), "caught up by loading again, not from history")
        #expect(try store.load().tenant.user(id: DemoTenant.userID(3))?.extensionAttribute(7) == "Mine")
    }

    @Test("with history gone, a state a compaction overtook is loaded again, never left with a gap")
    func overtakenWithoutHistory() throws {
        let (directory, store) = try freshStore()
        var behind = try store.load()
        try markInMemory(&behind)
        for step in 1...3 { try store.commit(setDepartment(2, "C\(step)"), context: context) }
        try store.compact()
        try FileManager.default.removeItem(atPath: directory.file(JournalHistory.folder))
        #expect(try store.refresh(&behind))
        #expect(behind.sequence == 3)
        #expect(behind.tenant.user(id: DemoTenant.userID(2))?.extensionAttribute(7) == "C3")
        #expect(!isMarked(behind))
    }

    @Test("a second compactor finds the first one running and leaves")
    func oneCompactorAtATime() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        try store.commit(setDepartment(1, "X"), context: context)
        let held = try #require(try DirectoryLock.attempt(directory: store.directory, file: StateFileName.compactionLock))
        guard case .busy = try Compactor(store: store).run() else {
            Issue.record("ran beside another compactor")
            return
        }
        withExtendedLifetime(held) {}
    }

    @Test("staged files of a tenant that was started over meanwhile are not switched in")
    func startOverWins() throws {
        let (directory, store) = try freshStore()
        try store.commit(setDepartment(1, "Old tenant"), context: context)
        let staged = try SnapshotFiles(store: store).stage(try store.load())
        try store.initialise(with: DemoTenant.make(), force: true)
        #expect(try store.switchSnapshot(to: staged) == nil)
        SnapshotFiles(store: store).removeStaged()
        #expect(try store.load().tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) != "Old tenant")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { StateFileName.isStaged($0) }, "\(names)")
    }

    @Test("a writer's recovery leaves a compactor's staged files alone; the next compactor removes a dead one's")
    func stagedFilesAreNotLeftovers() throws {
        let (directory, store) = try freshStore()
        try store.commit(setDepartment(1, "Y"), context: context)
        _ = try SnapshotFiles(store: store).stage(try store.load())
        // A torn journal line makes the next writer run recovery.
        let journal = try #require(FileHandle(forWritingAtPath: directory.file(StateFileName.journal)))
        journal.seekToEndOfFile()
        journal.write(Data("{\"v\":2,\"chec".utf8))
        try journal.close()
        try store.commit(setDepartment(1, "Z"), context: context)
        var names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.contains(StateFileName.users + StateFileName.stagedSuffix), "recovery removed a staged file: \(names)")
        guard case .compacted = try Compactor(store: store).run() else {
            Issue.record("did not compact")
            return
        }
        names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { StateFileName.isStaged($0) }, "\(names)")
        #expect(try store.load().tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "Z")
    }

    @Test("the cache written beside the staged files describes them once they are in place")
    func stagedCacheIsUsed() throws {
        let (directory, store) = try freshStore()
        try store.commit(setDepartment(1, "Cached"), context: context)
        try store.compact()
        #expect(SnapshotCache(store: store).read() != nil, "no usable cache after a compaction")
        #expect(FileManager.default.fileExists(atPath: directory.file(StateFileName.cache)))
        #expect(try store.load().tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "Cached")
    }

    @Test("a state written before lineages loads, and its first compaction gives it one")
    func stateWithoutLineage() throws {
        let (directory, store) = try freshStore()
        let desk = directory.file(StateFileName.desk)
        let text = try String(contentsOfFile: desk, encoding: .utf8)
        let without = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"lineage\"") }
        try without.joined(separator: "\n").write(toFile: desk, atomically: false, encoding: .utf8)
        var state = try store.load()
        #expect(state.lineage == nil)
        try store.commit(setDepartment(1, "Old"), context: context, onto: &state)
        try store.compact()
        #expect(try store.load().lineage != nil)
        // Its first lineage is news to a state read before: read again, once, and it says so.
        #expect(try store.refresh(&state) == true)
        #expect(state.lineage != nil)
        #expect(try store.refresh(&state) == false)
        #expect(state.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "Old")
    }

    @Test("the journal is cut byte for byte: a reader's place in it moves back by the cut, and it reads only what is new")
    func readerCursorFollowsTheCut() throws {
        let (directory, store) = try freshStore()
        var reader = try store.load()
        try markInMemory(&reader)
        var writer = try store.load()
        for step in 1...2 { try store.commit(setDepartment(1, "E\(step)"), context: context, onto: &writer) }
        let view = writer
        for step in 3...4 { try store.commit(setDepartment(1, "E\(step)"), context: context, onto: &writer) }
        #expect(try store.refresh(&reader))
        guard case .compacted = try Compactor(store: store).run(from: view) else {
            Issue.record("did not compact")
            return
        }
        try store.commit(setDepartment(1, "E5"), context: context, onto: &writer)
        // Entry 3, which the reader already holds, is damaged in place: a whole read of the
        // journal would stop at it; a read from the reader's place never meets it.
        try damageChecksum(inLine: 1, of: directory.file(StateFileName.journal))
        #expect(try store.refresh(&reader))
        #expect(reader.sequence == 5)
        #expect(reader.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "E5")
        #expect(isMarked(reader), "the reader was loaded again")
        #expect(throws: StateError.self) { try store.load() }
    }

    @Test("reading the whole journal again passes over the entries a state holds by counting lines; the next must follow on")
    func wholeReadSkipsHeldEntries() throws {
        let (directory, store) = try freshStore()
        var reader = try store.load()
        for step in 1...5 { try store.commit(setDepartment(1, "F\(step)"), context: context) }
        #expect(try store.refresh(&reader))
        try store.commit(setDepartment(1, "F6"), context: context)
        // Entry 2, held already, damaged in place; the reader has lost its place in the journal.
        try damageChecksum(inLine: 2, of: directory.file(StateFileName.journal))
        reader.journalCursor = nil
        try markInMemory(&reader)
        #expect(try store.refresh(&reader))
        #expect(reader.sequence == 6)
        #expect(reader.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "F6")
        #expect(isMarked(reader))
        // A state that holds less reads the damaged line, and is stopped by it.
        #expect(throws: StateError.self) { try store.load() }
    }

    @Test("a link a teammate puts in a staged file's place is refused by name; nothing is switched and the next compaction works")
    func linkInStagedPlace() throws {
        let (directory, store) = try freshStore()
        try store.commit(setDepartment(1, "G"), context: context)
        let staged = try SnapshotFiles(store: store).stage(try store.load())
        let stagedUsers = directory.file(StateFileName.users + StateFileName.stagedSuffix)
        try FileManager.default.removeItem(atPath: stagedUsers)
        try FileManager.default.createSymbolicLink(atPath: stagedUsers, withDestinationPath: "/etc/passwd")
        #expect(throws: StateError.self) { try store.switchSnapshot(to: staged) }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { $0.hasSuffix(".next") }, "\(names)")
        #expect(try store.load().tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "G")
        guard case .compacted = try Compactor(store: store).run() else {
            Issue.record("the next compaction did not work")
            return
        }
        var info = stat()
        #expect(lstat(directory.file(StateFileName.users), &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
    }

    @Test("a FIFO swapped in for the prepared journal does not hang the switch under the lock; the journal is cut all the same")
    func fifoInPreparedJournal() throws {
        let (directory, store) = try freshStore()
        var writer = try store.load()
        try store.commit(setDepartment(1, "H1"), context: context, onto: &writer)
        var staged = try SnapshotFiles(store: store).stage(writer)
        SnapshotFiles(store: store).prepareJournal(&staged)
        try store.commit(setDepartment(1, "H2"), context: context, onto: &writer)
        let prepared = directory.file(StateFileName.journal + StateFileName.stagedSuffix)
        #expect(FileManager.default.fileExists(atPath: prepared))
        unlink(prepared)
        #expect(mkfifo(prepared, 0o600) == 0)
        #expect(try store.switchSnapshot(to: staged) != nil)
        #expect(try journalSequences(directory) == [2])
        #expect(try store.load().tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(7) == "H2")
    }

    @Test("a roll-forward run again over a journal already cut keeps it: the line before the cut must be the last entry folded")
    func cutChecksTheLineBefore() throws {
        let (directory, store) = try freshStore()
        for step in 1...2 { try store.commit(setDepartment(1, "J\(step)"), context: context) }
        let journal = try Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.journal)))
        let firstLine = try #require(journal.firstIndex(of: 0x0A)) + 1
        let path = directory.file(StateFileName.journal)
        #expect(Recovery.journal(journal, from: firstLine, goingOnFrom: 1, file: path) == journal.suffix(from: firstLine))
        // A journal that is already what the cut left, exactly as long as the cut: the line
        // ending there is entry 2, not the entry 1 the record folded, so it is not emptied.
        #expect(Recovery.journal(journal, from: journal.count, goingOnFrom: 1, file: path) == nil)
        #expect(Recovery.journal(journal, from: firstLine, goingOnFrom: 2, file: path) == nil)
    }

    @Test("a change the compactor read that was taken back before the switch: nothing is switched, and no history is kept")
    func changedUnderTheCompaction() throws {
        let (directory, store) = try freshStore()
        var writer = try store.load()
        try store.commit(setDepartment(1, "K1"), context: context, onto: &writer)
        let staged = try SnapshotFiles(store: store).stage(writer)
        // The line the compactor read is no longer the one there (same file, same length).
        try damageChecksum(inLine: 1, of: directory.file(StateFileName.journal))
        #expect(throws: StateError.self) { try store.switchSnapshot(to: staged) }
        #expect(try SnapshotFiles(store: store).readDesk().journalSequence == 0)
        let history = (try? FileManager.default.contentsOfDirectory(atPath: directory.file(JournalHistory.folder))) ?? []
        #expect(!history.contains { $0.hasSuffix(".jsonl") }, "\(history)")
        #expect(!FileManager.default.fileExists(atPath: directory.file(StateFileName.compaction)))
    }

    @Test("compact after a file was edited by hand: a state in memory reads the tenant again")
    func handEditIsSeen() throws {
        let (directory, store) = try freshStore()
        var reader = try store.load()
        #expect(try store.refresh(&reader) == false)
        let path = directory.file(StateFileName.organization)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let name = try #require(reader.tenant.organization.displayName)
        try text.replacingOccurrences(of: "\"\(name)\"", with: "\"Edited by hand\"").write(toFile: path, atomically: true, encoding: .utf8)
        try store.compact()
        _ = try store.refresh(&reader)
        #expect(reader.tenant.organization.displayName == "Edited by hand")
    }

    @Test("the desk's position is read from its first lines, as decoding it whole gives; a desk in another order is decoded whole")
    func deskPositionFromHead() throws {
        let (directory, store) = try freshStore()
        for step in 1...3 { try store.commit(setDepartment(1, "L\(step)"), context: context) }
        try store.compact()
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.desk)))
        let head = try #require(DeskPosition(head: data.prefix(4_096)))
        let whole = try SnapshotFiles(store: store).readDesk()
        #expect(head.journalSequence == 3 && head.journalSequence == whole.journalSequence)
        #expect(head.lineage == whole.lineage && head.lineage != nil)
        #expect(head.journalCut == whole.journalCut && head.journalCutFrom == whole.journalCutFrom)
        // Not LicenseDesk's layout, or keys out of order: nil, and the file is decoded whole.
        #expect(DeskPosition(head: Data(#"{"versions":{},"journalSequence":3,"formatVersion":1}"#.utf8)) == nil)
        #expect(DeskPosition(head: Data("{\n  \"journalSequence\" : 3,\n  \"formatVersion\" : 1,\n  \"onPremises\" : {\n".utf8)) == nil)
        #expect(DeskPosition(head: Data("{\n  \"formatVersion\" : 1,\n  \"journalSequence\" : x,\n  \"onPremises\" : {\n".utf8)) == nil)
    }

    @Test("recovery files staged history only under the range its lines hold (another compaction's may be staged since)")
    func stagedHistoryRange() throws {
        let (directory, store) = try freshStore()
        for step in 1...3 { try store.commit(setDepartment(1, "M\(step)"), context: context) }
        let staged = directory.file(JournalHistory.folder + StateFileName.stagedSuffix)
        try FileManager.default.copyItem(atPath: directory.file(StateFileName.journal), toPath: staged)
        #expect(Recovery.holds(staged, first: 1, last: 3))
        #expect(!Recovery.holds(staged, first: 1, last: 2))
        #expect(!Recovery.holds(staged, first: 2, last: 3))
        #expect(!Recovery.holds(directory.file("nothing-here"), first: 1, last: 3))
    }
}
