import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

/// A refresh reads only the journal lines appended since the last read — and falls back to a
/// whole read whenever the journal is not simply longer: compacted, replaced, cut back.
@Suite("Journal cursor: refreshes read only what is new")
struct JournalCursorTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "alice")

    func store() throws -> (TemporaryDirectory, StateStore) {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: false)
        return (directory, store)
    }

    /// Overwrites the first line's bytes in place (same file, same length): a reader that read
    /// it again would find it damaged.
    func spoilFirstLine(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 10)
        try handle.write(contentsOf: Data("XXXX".utf8))
    }

    @Test("after a read, another admin's appended changes are replayed without reading the earlier lines again")
    func onlyTheTail() throws {
        let (directory, store) = try store()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        var console = try store.load()
        _ = try store.refresh(&console)
        // Damage the line already read: a whole read would now refuse the journal.
        try spoilFirstLine(directory.file("journal.jsonl"))
        #expect(throws: StateError.self) { try StateStore(directory: directory.path).load() }
        // Another admin appends (their state read before the damage).
        var other = console
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 41), context: context, onto: &other)
        #expect(try store.refresh(&console))
        #expect(console.sequence == 2)
        #expect(console.tenant.sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 41)
    }

    @Test("after a compaction the journal is read whole and equals a fresh load; a journal cut back is not taken for news")
    func fallsBackToWhole() throws {
        let (directory, store) = try store()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        var console = try store.load()
        _ = try store.refresh(&console)
        // Compaction: a new snapshot and an empty journal under the same name.
        try store.compact()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 42), context: context)
        _ = try store.refresh(&console)
        #expect(console.tenant == (try store.load()).tenant)
        #expect(console.sequence == 2)
        // The journal cut back under the cursor (same file, shorter) and written on again.
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 43), context: context)
        _ = try store.refresh(&console)
        let path = directory.file("journal.jsonl")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        try Data((lines[0] + "\n").utf8).write(to: URL(fileURLWithPath: path + ".cut"))
        let cut = try Data(contentsOf: URL(fileURLWithPath: path + ".cut"))
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: UInt64(cut.count))
        try handle.close()
        // The store calls that damage (the audit log knows change 3); the console's refresh reads
        // the shorter journal whole and neither goes back nor takes anything for new.
        #expect(throws: StateError.self) { try store.load() }
        let held = console.sequence
        _ = try? store.refresh(&console)
        #expect(console.sequence == held)
        #expect(console.tenant.sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 43)
    }

    @Test("a damaged line appended after the cursor is refused, not skipped")
    func damagedTail() throws {
        let (directory, store) = try store()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        var console = try store.load()
        _ = try store.refresh(&console)
        let handle = try #require(FileHandle(forWritingAtPath: directory.file("journal.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"v\":2,\"checksum\":\"0000000000000000\",\"entry\":{}}\n".utf8))
        try handle.close()
        #expect(throws: StateError.self) { _ = try store.refresh(&console) }
    }
}
