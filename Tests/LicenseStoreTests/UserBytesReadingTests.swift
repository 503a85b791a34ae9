import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

/// The users file's own reader (`UserBytesReading`) must give exactly the users Foundation's
/// decoder gives, or stand aside: these tests hold it to that, on generated tenants, on
/// hand-made awkward records and on thousands of damaged ones.
@Suite("Users read straight from the bytes")
struct UserBytesReadingTests {
    /// The list file holding `elements`, read by the byte reader (nil: it stood aside).
    func fast(_ elements: [String]) throws -> [User]? { try fast(bytes: elements.map { Array($0.utf8) }) }

    func fast(bytes elements: [[UInt8]]) throws -> [User]? {
        let data = Data(Array(#"{"formatVersion": 1, "value": ["#.utf8) + Array(elements.joined(separator: Array(",\n".utf8))) + Array("]}".utf8))
        return try data.withUnsafeBytes { bytes in
            let layout = try #require(ListLayout(ByteScanner(bytes)))
            return SnapshotFiles.userReader.ranges(bytes, layout.elements[...])
        }
    }

    /// Foundation's users for the same elements (nil: it refuses them).
    func foundation(_ elements: [String]) -> [User]? { foundation(bytes: elements.map { Array($0.utf8) }) }

    func foundation(bytes elements: [[UInt8]]) -> [User]? {
        let data = Data(Array("[".utf8) + Array(elements.joined(separator: Array(",\n".utf8))) + Array("]".utf8))
        return try? StateJSON.decoder().decode([User].self, from: data)
    }

    @Test("a generated tenant's users file reads to the same users as Foundation's decoder, with no slice left to it")
    func generatedTenant() throws {
        let tenant = SyntheticTenant.make(users: 2_000, groups: 8, seed: 11)
        let data = try StateJSON.encoder().encode(GraphListFile(tenant.users))
        let read = try data.withUnsafeBytes { bytes in
            let layout = try #require(ListLayout(ByteScanner(bytes)))
            return SnapshotFiles.userReader.ranges(bytes, layout.elements[...])
        }
        let users = try #require(read, "the reader stood aside on a file LicenseDesk wrote")
        #expect(users == tenant.users)
        #expect(users.filter { !$0.assignedPlans.isEmpty }.count > 300)
        // Users licensed alike share one copy of their rows.
        func storage(_ rows: [AssignedPlan]) -> UInt { rows.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let licensed = users.filter { !$0.assignedPlans.isEmpty }
        #expect(Set(licensed.map { storage($0.assignedPlans) }).count == Set(licensed.map(\.assignedPlans)).count)
    }

    /// Records the reader must read itself, each the same as Foundation reads it.
    static let awkward = [
        #"{"id": "a", "userPrincipalName": "a@x", "displayName": "Zo\u00eb \"Z\" \\ \/ \b\f\n\r\t \ud83d\ude00 é 日本"}"#,
        #"{"id":"b","userPrincipalName":"b@x"}"#,
        #"{ "id" : "c" , "userPrincipalName" : "c@x" , "displayName" : null , "accountEnabled" : false , "city" : null }"#,
        #"{"id": "d", "userPrincipalName": "d@x", "city": "", "department": "Sales", "usageLocation": "GB", "businessPhones": ["+44 1", "+44 2"]}"#,
        #"{"id": "e", "userPrincipalName": "e@x", "businessPhones": [], "otherMails": null, "proxyAddresses": ["SMTP:e@x"]}"#,
        #"{"id": "f", "userPrincipalName": "f@x", "onPremisesExtensionAttributes": {"extensionAttribute10": "E3 All", "extensionAttribute2": null, "other": "kept out"}}"#,
        #"{"id": "g", "userPrincipalName": "g@x", "onPremisesExtensionAttributes": null, "manager": {"id": "m"}, "employeeHireDate": "2020-02-29T08:00:00Z"}"#,
        #"{"id": "h", "userPrincipalName": "h@x", "manager": null, "employeeHireDate": "2021-03-01T10:00:00.500+01:00"}"#,
        ##"{"id": "i", "userPrincipalName": "i@x", "createdDateTime": "2020-01-01T00:00:00Z", "n": 12, "x": 1.5e3, "deep": {"a": [1, {"b": null}, true]}, "@odata.type": "#microsoft.graph.user"}"##,
        #"{"id": "j", "userPrincipalName": "j@x", "extension_0123456789abcdef0123456789abcdef_costCentre": "CC-1", "extension_0123456789abcdef0123456789abcdef_level": 3}"#,
        #"{"id": "k", "userPrincipalName": "k@x", "assignedLicenses": [{"disabledPlans": ["z", "a"], "skuId": "s"}], "licenseAssignmentStates": [{"skuId": "s", "disabledPlans": ["z", "a"], "assignedByGroup": null, "state": "Active", "error": "None", "lastUpdatedDateTime": "2026-01-15T09:00:00Z"}, {"skuId": "s", "disabledPlans": [], "state": "Error", "error": "CountViolation", "lastUpdatedDateTime": "2026-01-15T09:00:00Z", "assignedByGroup": "g1"}]}"#,
        #"{"id": "l", "userPrincipalName": "l@x", "assignedPlans": [{"assignedDateTime": "2026-01-15T09:00:00Z", "capabilityStatus": "Deleted", "service": "exchange", "servicePlanId": "p"}], "assignedLicenses": null, "licenseAssignmentStates": null}"#,
        #"{"id": "m", "userPrincipalName": "m@x", "assignedPlans": [{"assignedDateTime": "2026-01-15T09:00:00Z", "capabilityStatus": "Deleted", "service": "exchange", "servicePlanId": "p"}]}"#,
    ]

    @Test("awkward records (escapes, surrogate pairs, nulls, unknown and extension fields, times with offsets) read as Foundation reads them")
    func awkwardRecords() throws {
        let expected = try #require(foundation(Self.awkward))
        let read = try #require(try fast(Self.awkward), "the reader stood aside on records it should read")
        #expect(read == expected)
        for (index, record) in Self.awkward.enumerated() {
            #expect(try fast([record]) == foundation([record]), "record \(index)")
        }
        // The last two users' rows are one text: one shared array.
        let rows = read.suffix(2).map { $0.assignedPlans.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(rows[0] == rows[1])
    }

    @Test("what it does not read exactly, it leaves to Foundation (which then judges the file)")
    func standsAside() throws {
        let refused = [
            #"{"id": "a", "userPrincipalName": "a@x", "city": "x", "city": "y"}"#,  // a duplicate key
            #"{"id": "a", "userPrincipalName": "a@x", "x": 1, "x": 2}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "assignedPlans": [{"assignedDateTime": "2026-01-15T09:00:00Z", "capabilityStatus": "Enabled", "service": "s", "servicePlanId": "p", "extra": 1}]}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "displayName": "\ud800"}"#,  // a lone surrogate
            "{\"id\": \"a\", \"userPrincipalName\": \"a@x\", \"displayName\": \"tab\there\"}",  // a raw control character
            #"{"id": "a", "userPrincipalName": "a@x", "accountEnabled": "yes"}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "employeeHireDate": "last week"}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "licenseAssignmentStates": [{"skuId": "s", "disabledPlans": [], "state": "Sleeping", "error": "None", "lastUpdatedDateTime": "2026-01-15T09:00:00Z"}]}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "proxyAddresses": ["x", null]}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "manager": {"id": "m", "displayName": "Boss"}}"#,
            #"{"userPrincipalName": "a@x"}"#,
            #"{"id": null, "userPrincipalName": "a@x"}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "unknown": tru}"#,
            #"{"id": "a", "userPrincipalName": "a@x", "accountEnabled": nullx}"#,
            #"["id", "a"]"#,
        ]
        for (index, record) in refused.enumerated() {
            #expect(try fast([record]) == nil, "record \(index) was read, not left to Foundation")
        }
    }

    @Test("five thousand damaged records: whenever the reader reads one, Foundation reads it too, to the same user")
    func damagedRecordsNeverDiverge() throws {
        var generator = SplitMixForTests(seed: 99)
        let sources = Self.awkward.map { Array($0.utf8) }
        let alphabet = Array(#"{}[]":,\ nu0aé"#.utf8) + [0x00, 0x1F, 0xFF, 0xC3]
        var read = 0
        for _ in 0..<5_000 {
            var bytes = sources[Int(generator.next() % UInt64(sources.count))]
            for _ in 0...(generator.next() % 3) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            // Invalid UTF-8 stays as bytes: the reader sees what a damaged file would hold.
            let listed = Data(Array(#"{"value": ["#.utf8) + bytes + Array("]}".utf8))
            guard listed.withUnsafeBytes({ ListLayout(ByteScanner($0))?.elements.count }) == 1 else { continue }
            guard let users = try fast(bytes: [bytes]) else { continue }
            read += 1
            #expect(users == foundation(bytes: [bytes]), "read differently from Foundation: \(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(read > 500, "too few damaged records stayed readable to prove anything (\(read))")
    }
}

/// A small deterministic generator, so a failure here repeats.
struct SplitMixForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49EB_133B_111C
        return z ^ (z >> 31)
    }
}

@Suite("Groups read straight from the bytes")
struct GroupBytesReadingTests {
    func read(_ elements: [String]) throws -> (fast: [Group]?, foundation: [Group]?) {
        let text = #"{"formatVersion": 1, "value": ["# + elements.joined(separator: ",\n") + "]}"
        let data = Data(text.utf8)
        let fast = try data.withUnsafeBytes { bytes in
            let layout = try #require(ListLayout(ByteScanner(bytes)))
            return SnapshotFiles.groupReader.ranges(bytes, layout.elements[...])
        }
        return (fast, try? StateJSON.decoder().decode(GraphListFile<Group>.self, from: data).value)
    }

    @Test("generated groups and awkward ones read as Foundation reads them; what it can't read exactly it leaves")
    func sameAsFoundation() throws {
        let tenant = SyntheticTenant.make(users: 800, groups: 12, seed: 2)
        let generated = try tenant.groups.map { String(decoding: try StateJSON.encoder().encode($0), as: UTF8.self) }
        let awkward = [
            #"{"id": "g1", "displayName": "Plain"}"#,
            #"{"id": "g2", "displayName": "E3 \u2013 \"all\"", "description": null, "securityEnabled": false, "mailEnabled": null, "groupTypes": ["DynamicMembership"], "membershipRule": "(user.city -eq \"Oslo\")", "membershipRuleProcessingState": "Paused", "membershipRuleProcessingStatus": {"status": "Failed", "errorMessage": "bad rule", "lastMembershipUpdated": "2026-01-15T09:00:00Z"}, "licenseProcessingState": {"state": "QueuedForProcessing"}, "assignedLicenses": [{"skuId": "s", "disabledPlans": ["b", "a"]}], "members": [{"id": "u1"}, {"id": "u2"}], "uniqueName": "licensedesk-g2", "createdDateTime": "2020-01-01T00:00:00Z", "n": [1, 2.5, {"k": null}]}"#,
            #"{"id": "g3", "displayName": "Nulls", "membershipRuleProcessingStatus": null, "licenseProcessingState": null, "members": null, "assignedLicenses": null, "groupTypes": null}"#,
        ]
        let both = try read(generated + awkward)
        #expect(try #require(both.fast, "the reader stood aside") == #require(both.foundation))
        for record in awkward { #expect(try read([record]).fast == read([record]).foundation) }
        let refused = [
            #"{"id": "g", "displayName": "x", "displayName": "y"}"#,
            ##"{"id": "g", "displayName": "x", "members": [{"id": "u", "@odata.type": "#microsoft.graph.user"}]}"##,
            #"{"id": "g", "displayName": "x", "licenseProcessingState": {"state": "Sleeping"}}"#,
            #"{"id": "g", "displayName": "x", "membershipRuleProcessingStatus": {"errorMessage": "no status"}}"#,
            #"{"id": "g", "displayName": null}"#,
        ]
        for (index, record) in refused.enumerated() { #expect(try read([record]).fast == nil, "record \(index)") }
    }
}

@Suite("Delta files read straight from the bytes")
struct DeltaEntryReadingTests {
    func read(_ data: Data) throws -> [DeltaEntry<User>]? {
        try data.withUnsafeBytes { bytes in
            let layout = try #require(ListLayout(ByteScanner(bytes)))
            return DeltaEntryReading.users.ranges(bytes, layout.elements[...])
        }
    }

    @Test("records and removals read as Foundation reads them; a record naming @removed is left to Foundation")
    func sameAsFoundation() throws {
        let users = SyntheticTenant.users(count: 40, seed: 8)
        let entries: [DeltaEntry<User>] = users.enumerated().map { $0.offset % 3 == 0 ? .removed($0.element.id) : .record($0.element) }
        let data = try StateJSON.encoder().encode(GraphListFile(entries))
        let expected = try StateJSON.decoder().decode(GraphListFile<DeltaEntry<User>>.self, from: data).value
        let fast = try #require(try read(data), "the reader stood aside on a delta LicenseDesk wrote")
        #expect(fast.map(Self.describe) == expected.map(Self.describe))
        #expect(fast.filter { if case .removed = $0 { true } else { false } }.count == 14)
        for odd in [
            #"{"value": [{"id": "a", "userPrincipalName": "a@x", "@removed": 1}]}"#,
            #"{"value": [{"id": "a", "@removed": {"reason": "deleted", "when": "now"}}]}"#,
            #"{"value": [{"@removed": {"reason": "deleted"}}]}"#,
        ] {
            #expect(try read(Data(odd.utf8)) == nil, "\(odd)")
        }
    }

    /// The record, or the removed id as a user of that id alone.
    static func describe(_ entry: DeltaEntry<User>) -> User {
        switch entry {
        case .record(let user): user
        case .removed(let id): User(id: id, userPrincipalName: "(removed)", displayName: "")
        }
    }
}
