import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("Journal, recovery, conflicts, roles and audit")
struct JournalTests {
    let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "alice")

    func freshStore() throws -> (TemporaryDirectory, StateStore) {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: false)
        return (directory, store)
    }

    @Test("a commit appends one journal line and leaves the snapshot as it was")
    func commitAppends() throws {
        let (directory, store) = try freshStore()
        let users = try Data(contentsOf: URL(fileURLWithPath: directory.file("users.json")))
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 41), context: context)
        let journal = try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("users.json"))) == users)
        let state = try store.load()
        #expect(state.sequence == 2)
        #expect(state.tenant.sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 41)
    }

    @Test("compaction folds the journal into the snapshot; loading gives the same tenant")
    func compaction() throws {
        let (directory, store) = try freshStore()
        try store.commit(.setUserAttributes(userID: DemoTenant.userID(1), values: ["extensionAttribute10": "E3 with Selected Services"]), context: context)
        try store.commit(.processPending, context: context)
        let before = try store.load()
        try store.compact()
        #expect(try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8).isEmpty)
        let after = try store.load()
        #expect(after.tenant == before.tenant)
        #expect(after.sequence == before.sequence)
        #expect(after.versions == before.versions)
    }

    @Test("compacting from a state in hand first catches it up with others' commits; same files as compact()")
    func compactionFromStateInHand() throws {
        let (directory, store) = try freshStore()
        var held = try store.load()
        try store.commit(.setUserAttributes(userID: DemoTenant.userID(1), values: ["extensionAttribute10": "E3 with Selected Services"]), context: context)
        try store.commit(.processPending, context: context)  // by another admin: `held` is behind
        #expect(held.sequence == 0)

        try store.compact(&held)
        #expect(held.sequence == 2)
        #expect(try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8).isEmpty)
        var written: [String: Data] = [:]
        for name in StateFileName.all { written[name] = try Data(contentsOf: URL(fileURLWithPath: directory.file(name))) }
        let after = try store.load()
        #expect(after.tenant == held.tenant)
        #expect(after.versions == held.versions)
        #expect(after.tenant.user(id: DemoTenant.userID(1))?.extensionAttribute(10) == "E3 with Selected Services")

        // The same journal compacted by loading it again writes the same bytes.
        let (otherDirectory, other) = try freshStore()
        try other.commit(.setUserAttributes(userID: DemoTenant.userID(1), values: ["extensionAttribute10": "E3 with Selected Services"]), context: context)
        try other.commit(.processPending, context: context)
        try other.compact(whole: true)  // as the state in hand is: whole, not as a delta
        // Byte for byte, but for the desk file's lineage: each tenant made by `init` has its own.
        func withoutLineage(_ data: Data?) -> String {
            String(decoding: data ?? Data(), as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"lineage\"") }.joined(separator: "\n")
        }
        for name in StateFileName.all {
            let otherBytes = try Data(contentsOf: URL(fileURLWithPath: otherDirectory.file(name)))
            #expect(withoutLineage(otherBytes) == withoutLineage(written[name]), "\(name) differs")
        }
    }

    @Test("a torn last journal line is set aside and reported; the changes before it stay")
    func tornLine() throws {
        let (directory, store) = try freshStore()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        let handle = try #require(FileHandle(forWritingAtPath: directory.file("journal.jsonl")))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"basedOn":{},"change":{"setSeats":{"seats":9"#.utf8))
        try handle.close()
        let state = try store.load()
        #expect(state.tenant.sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 40)
        #expect(state.notices.contains { $0.contains("cut short") && $0.contains("corrupt-") })
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.contains { $0.hasPrefix("journal.jsonl.corrupt-") })
        #expect(try String(contentsOfFile: directory.file("journal.jsonl"), encoding: .utf8).hasSuffix("}\n"))
    }

    @Test("a file that does not parse is kept aside and never overwritten")
    func corruptKeptAside() throws {
        let (directory, store) = try freshStore()
        try "{ broken".write(toFile: directory.file("groups.json"), atomically: true, encoding: .utf8)
        #expect(throws: StateError.self) { _ = try store.load() }
        #expect(throws: (any Error).self) { try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 1), context: context) }
        #expect(try String(contentsOfFile: directory.file("groups.json"), encoding: .utf8) == "{ broken")
        let asides = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("groups.json.corrupt-") }
        #expect(asides.count == 1)
    }

    @Test("leftover temp and .next files are cleaned up; a compaction past its commit point is finished")
    func recovery() throws {
        let (directory, store) = try freshStore()
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 44), context: context)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: directory.file("users.json.tmp.1.2")))
        try Data("junk".utf8).write(to: URL(fileURLWithPath: directory.file("groups.json.next")))
        _ = try store.load()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { $0.contains(".tmp.") || $0.hasSuffix(".next") })
        #expect(try store.loadTenant().sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 44)
    }

    @Test("a change to an object someone changed since it was loaded is refused, naming who and when")
    func conflict() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        let alice = try store.load()
        let change = TenantChange.setGroupPlan(
            groupID: DemoTenant.e3SelectedGroupID, skuId: DemoTenant.e3SkuID,
            planId: "2789c901-c14e-48ab-a76a-be334d9d793a", enabled: true)
        var bob = try store.load()
        _ = try store.commit(change, context: ChangeContext(now: context.now, actor: "bob"), basedOn: bob.basedOn(change), onto: &bob)
        var stale = alice
        #expect {
            _ = try store.commit(change, context: context, basedOn: alice.basedOn(change), onto: &stale)
        } throws: { error in
            guard case StateError.conflict(let object, let version) = error else { return false }
            return object == "group E3 with Selected Services" && version.actor == "bob" && version.activity == "Set group license"
        }
        // The refused commit brought the stale state up to date; a change to another object lands.
        #expect(stale.sequence == bob.sequence)
        let other = TenantChange.setSeats(skuId: DemoTenant.emsSkuID, seats: 12)
        _ = try store.commit(other, context: context, basedOn: alice.basedOn(other), onto: &stale)
        #expect(try store.loadTenant().sku(id: DemoTenant.emsSkuID)?.prepaidUnits.enabled == 12)
    }

    @Test("roles are enforced in the model: a refused action names the role it needs")
    func roles() throws {
        var tenant = DemoTenant.make()
        let reader = ChangeContext(now: context.now, actor: "carol", roles: [.globalReader])
        #expect(throws: ModelError.refused("Reprocess group license needs the License Administrator or Global Administrator role; carol has Global Reader")) {
            try tenant.apply(.reprocessGroup(groupID: DemoTenant.e3AllGroupID), context: reader)
        }
        let licensing = ChangeContext(now: context.now, actor: "dave", roles: [.licenseAdministrator])
        #expect(throws: Never.self) { try tenant.apply(.setSeats(skuId: DemoTenant.e3SkuID, seats: 50), context: licensing) }
        #expect(throws: ModelError.self) {
            try tenant.apply(.setGroupRule(groupID: DemoTenant.e3AllGroupID, rule: "user.city -eq \"x\""), context: licensing)
        }
    }

    @Test("the audit log records each change with who made it and old → new values")
    func auditLog() throws {
        let (directory, store) = try freshStore()
        defer { withExtendedLifetime(directory) {} }
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        try store.commit(.reprocessGroup(groupID: DemoTenant.e3AllGroupID), context: context)
        try store.commit(.processPending, context: context)
        let records = try store.audit()
        #expect(records.contains { $0.activity == "Update subscription" && $0.detail == "seats: 36 -> 40" && $0.sequence == 1 })
        #expect(
            records.contains { $0.activity == "Finish applying group based license to users" && $0.detail.contains("Users successfully assigned licenses: 17") }
        )
        #expect(records.allSatisfy { $0.actor.uid == getuid() && !$0.actor.name.isEmpty })
        #expect(try store.audit(AuditQuery(object: "E3 All")).allSatisfy { $0.target == "E3 All" })
        #expect(try store.audit(AuditQuery(since: Date(timeIntervalSince1970: 1_900_000_000))).isEmpty)
    }

    @Test("a shared directory is 2770 with 0660 files and a private one 0700/0600, whatever the umask")
    func modes() throws {
        let parent = TemporaryDirectory()
        let old = umask(0o077)
        defer { umask(old) }
        let shared = StateStore(directory: parent.file("shared"))
        try shared.initialise(with: DemoTenant.make(), force: false)
        let privateStore = StateStore(directory: parent.file("private"))
        try privateStore.initialise(with: DemoTenant.make(), force: false, access: .private)
        func mode(_ path: String) -> Int {
            (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(mode(parent.file("shared")) == 0o2770)
        #expect(mode(parent.file("shared/users.json")) == 0o660)
        #expect(mode(parent.file("private")) == 0o700)
        #expect(mode(parent.file("private/users.json")) == 0o600)
        try shared.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 40), context: context)
        #expect(mode(parent.file("shared/journal.jsonl")) == 0o660)
    }
}
