import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

@Suite("Loading big list files on every core")
struct ParallelLoadTests {
    func layout(_ text: String) -> ListLayout? {
        Data(text.utf8).withUnsafeBytes { ListLayout(ByteScanner($0)) }
    }

    @Test("the scan finds each element of value, past strings holding quotes, brackets and backslashes")
    func elementBoundaries() throws {
        let text = #"{"@odata.context": "x]}", "value": [ {"a": "q\"]}[{"}, [1, [2]], "s\\", 3, null ], "formatVersion": 1}"#
        let found = try #require(layout(text))
        let bytes = Array(text.utf8)
        let elements = found.elements.map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(elements == [#"{"a": "q\"]}[{"}"#, "[1, [2]]", #""s\\""#, "3", "null"])
        #expect(String(decoding: bytes[found.valueStart..<found.valueEnd], as: UTF8.self).hasPrefix("[ {"))
        #expect(layout(#"{"value": []}"#)?.elements.isEmpty == true)
        #expect(layout(#"{"value": [1, 2"#) == nil)
        #expect(layout(#"{"other": 1}"#) == nil)
        #expect(layout(#"[1, 2]"#) == nil)
    }

    /// A synthetic tenant written to a new state directory, and the bytes of its users file.
    func stored() throws -> (directory: TemporaryDirectory, store: StateStore, tenant: Tenant, users: Data) {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        let tenant = SyntheticTenant.make(users: 3_000, groups: 6, seed: 5)
        try store.initialise(with: tenant, force: false)
        let data = try #require(FileManager.default.contents(atPath: directory.file("users.json")))
        return (directory, store, tenant, data)
    }

    @Test("a users file big enough for the parallel path loads to the same tenant as the ordinary decoder")
    func sameTenant() throws {
        let (directory, store, tenant, data) = try stored()
        defer { withExtendedLifetime(directory) {} }  // the files live until the test ends
        #expect(data.count > ParallelListDecoding.minimumBytes, "make the tenant bigger: the file is \(data.count) bytes")
        let parallel = try #require(ParallelListDecoding.decode(data, as: User.self))
        let ordinary = try StateJSON.decoder().decode(GraphListFile<User>.self, from: data)
        #expect(parallel.value == ordinary.value)
        #expect(parallel.extra == ordinary.extra && parallel.formatVersion == ordinary.formatVersion)
        #expect(try store.loadTenant().users == tenant.users)
    }

    @Test("slices of about so many bytes hold every element once, in order")
    func slicesCoverEveryElement() throws {
        let values = (0..<500).map { index in "\"" + String(repeating: "x", count: index % 37 * 11) + "\"" }
        let found = try #require(layout(#"{"value": ["# + values.joined(separator: ", ") + "]}"))
        for bytes in [1, 100, 1_000, 10_000, 1 << 30] {
            let slices = found.slices(ofAbout: bytes)
            #expect(slices.flatMap { Array($0) } == Array(0..<500))
            for slice in slices where slice.count > 1 {
                // Cut as soon as the run reaches the size: only its last element goes past.
                let withoutLast = found.elements[slice.upperBound - 2].upperBound - found.elements[slice.lowerBound].lowerBound
                #expect(withoutLast < bytes)
            }
        }
        #expect(found.slices(ofAbout: 1).count == 500)
        #expect(found.slices(ofAbout: 1 << 30).count == 1)
        #expect(try #require(layout(#"{"value": []}"#)).slices(ofAbout: 100).isEmpty)
    }

    @Test("decoded in many small slices, users are the same and those licensed alike share their arrays")
    func smallSlicesShareArrays() throws {
        let (directory, store, tenant, data) = try stored()
        defer { withExtendedLifetime(directory) {} }  // the files live until the test ends
        let sharing = LicenceArraySharing()
        let parallel = try #require(ParallelListDecoding.decode(data, as: User.self, sliceBytes: 64 << 10) { sharing.share(&$0) })
        #expect(parallel.value == tenant.users)
        // One copy of each distinct array, across slices too.
        func storage(_ rows: [AssignedPlan]) -> UInt { rows.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let licensed = parallel.value.filter { !$0.assignedPlans.isEmpty }
        #expect(licensed.count > 500)
        #expect(Set(licensed.map { storage($0.assignedPlans) }).count == Set(licensed.map(\.assignedPlans)).count)
        // And the store's own load from the JSON alone (no cache) gives the same tenant.
        SnapshotCache(store: store).remove()
        #expect(try store.loadTenant() == tenant)
    }

    @Test("a damaged big file falls back to the ordinary decoder, which says where")
    func damagedFallsBack() throws {
        let directory = TemporaryDirectory()
        let store = StateStore(directory: directory.path)
        try store.initialise(with: SyntheticTenant.make(users: 3_000, groups: 2, seed: 5), force: false)
        var text = try String(contentsOfFile: directory.file("users.json"), encoding: .utf8)
        let target = try #require(text.range(of: "\"accountEnabled\" : true", options: .backwards))
        text.replaceSubrange(target, with: "\"accountEnabled\" : \"yes\"")
        try text.write(toFile: directory.file("users.json"), atomically: true, encoding: .utf8)
        #expect(ParallelListDecoding.decode(Data(text.utf8), as: User.self) == nil)
        #expect(throws: StateError.self) { try store.loadTenant() }
        do { _ = try store.loadTenant() } catch { #expect("\(error)".contains("users.json")) }
    }
}

@Suite("ISO 8601 times in state files")
struct ISO8601InstantTests {
    @Test("the fast path agrees with Foundation's parser on ten thousand times, and leaves other forms to it")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: -2_000_000_000...5_000_000_000, using: &generator)))
            let text = formatter.string(from: date)
            #expect(ISO8601Instant.parse(text) == formatter.date(from: text), "\(text)")
        }
        #expect(ISO8601Instant.parse("2026-01-31T09:00:00.250Z") == Date(timeIntervalSince1970: 1_769_850_000.25))
        #expect(ISO8601Instant.parse("2026-01-31T10:00:00+01:00") == Date(timeIntervalSince1970: 1_769_850_000))
        #expect(ISO8601Instant.parse("2026-13-31T09:00:00Z") == nil)
        #expect(ISO8601Instant.parse("yesterday") == nil)
    }
}
