import Foundation
import LicenseModel
import LicenseStore
import TestSupport
import Testing

@Suite("State on disk")
struct StateStoreTests {
    @Test("save then load gives the same tenant")
    func roundTrip() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        let tenant = DemoTenant.make()
        try store.initialise(with: tenant, force: true)
        #expect(try store.loadTenant() == tenant)
    }

    @Test("load then save reproduces every file byte for byte, unknown fields included")
    func byteForByte() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: true)
        // Add fields LicenseDesk does not model, in the house format, as another tool might.
        let usersPath = directory.file(StateFileName.users)
        var text = try String(contentsOfFile: usersPath, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  \"formatVersion\" : 1,", with: "  \"@odata.context\" : \"https://graph.microsoft.com/v1.0/$metadata#users\",\n  \"formatVersion\" : 1,")
        text = text.replacingOccurrences(
            of: "      \"accountEnabled\" : true,", with: "      \"accountEnabled\" : true,\n      \"ageGroup\" : null,", options: [],
            range: text.range(of: "      \"accountEnabled\" : true,"))
        try text.write(toFile: usersPath, atomically: true, encoding: .utf8)
        var before: [String: Data] = [:]
        for name in StateFileName.all { before[name] = try Data(contentsOf: URL(fileURLWithPath: directory.file(name))) }

        try store.compact()

        for name in StateFileName.all {
            let after = try Data(contentsOf: URL(fileURLWithPath: directory.file(name)))
            #expect(after == before[name], "\(name) changed")
        }
        #expect(String(decoding: before[StateFileName.users]!, as: UTF8.self).contains("\"ageGroup\" : null"))
    }

    @Test("a corrupt file is rejected with its file, line and column, and left untouched")
    func corruptFile() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: true)
        let groupsPath = directory.file(StateFileName.groups)
        let broken = "{\n  \"formatVersion\" : 1,\n  \"value\" : [ { \"id\": \"x\", \"displayName\": } ]\n}\n"
        try broken.write(toFile: groupsPath, atomically: true, encoding: .utf8)
        do {
            _ = try store.load()
            Issue.record("a corrupt file loaded")
        } catch {
            guard case .unreadable(let file, let line, let column, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == groupsPath)
            #expect(line == 3)
            #expect(column != nil)
            #expect(error.description.contains("groups.json:3:"))
        }
        #expect(try String(contentsOfFile: groupsPath, encoding: .utf8) == broken)
    }

    @Test("a file of the wrong shape names the field that is wrong")
    func wrongShape() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: true)
        let path = directory.file(StateFileName.subscribedSkus)
        try "{\"formatVersion\": 1, \"value\": [{\"skuId\": 5, \"skuPartNumber\": \"X\"}]}".write(
            toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try store.load()
            Issue.record("a file of the wrong shape loaded")
        } catch {
            #expect(error.description.contains("subscribedSkus.json"))
            #expect(error.description.contains("value[0].skuId"))
        }
    }

    @Test("a newer format version is refused rather than misread")
    func newerVersion() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: true)
        try "{\"formatVersion\": 99, \"value\": []}".write(toFile: directory.file(StateFileName.groups), atomically: true, encoding: .utf8)
        #expect(throws: StateError.unsupportedVersion(file: directory.file(StateFileName.groups), found: 99)) {
            _ = try store.load()
        }
    }

    @Test("keys are written in sorted order")
    func sortedKeys() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: true)
        let text = try String(contentsOfFile: directory.file(StateFileName.organization), encoding: .utf8)
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("      \"") }.map { String($0.split(separator: "\"")[1]) }
        #expect(keys == keys.sorted())
        #expect(!keys.isEmpty)
    }

    @Test("commit applies a change and writes it; a refused change writes nothing")
    func commit() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: DemoTenant.make(), force: false)
        let context = ChangeContext(now: Date(timeIntervalSince1970: 1_800_000_000), actor: "test")
        try store.commit(.setSeats(skuId: DemoTenant.e3SkuID, seats: 50), context: context)
        #expect(try store.loadTenant().sku(id: DemoTenant.e3SkuID)?.prepaidUnits.enabled == 50)
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.users)))
        #expect(throws: ModelError.self) {
            try store.commit(.removeUserLicense(userID: DemoTenant.userID(1), skuId: DemoTenant.e3SkuID), context: context)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file(StateFileName.users))) == before)
        #expect(throws: StateError.alreadyInitialised(directory: store.directory)) {
            try store.initialise(with: DemoTenant.make(), force: false)
        }
    }
}
