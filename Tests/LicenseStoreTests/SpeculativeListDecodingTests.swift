import Foundation
import LicenseModel
import TestSupport
import Testing

@testable import LicenseStore

/// A list cut at guessed places must come out exactly as the whole file decoded, or not at all.
@Suite("Big lists read in runs cut at guessed places")
struct SpeculativeListDecodingTests {
    func foundation(_ data: Data) throws -> GraphListFile<User> { try StateJSON.decoder().decode(GraphListFile<User>.self, from: data) }

    func speculative(_ data: Data, runBytes: Int) -> GraphListFile<User>? {
        SpeculativeListDecoding.decode(data, reader: SnapshotFiles.userReader, runBytes: runBytes, settle: nil)
    }

    @Test("a users file LicenseDesk wrote, cut into runs of every size, reads to the same users and envelope")
    func sameAsWhole() throws {
        let tenant = SyntheticTenant.make(users: 1_500, groups: 6, seed: 3)
        var file = GraphListFile(tenant.users)
        file.extra = ["@odata.context": .string("https://graph.microsoft.com/v1.0/$metadata#users"), "zzz": .int(7)]
        let data = try StateJSON.encoder().encode(file)
        let whole = try foundation(data)
        for runBytes in [1, 700, 10_000, 200_000, 1 << 30] {
            let read = try #require(speculative(data, runBytes: runBytes), "runs of \(runBytes) bytes stood aside")
            #expect(read.value == whole.value, "runs of \(runBytes) bytes")
            #expect(read.extra == whole.extra && read.formatVersion == whole.formatVersion)
        }
    }

    @Test("a wrong guess (a nested object closing at an element's indentation) is caught, never taken")
    func wrongGuessCaught() throws {
        // The second user's unknown field holds an object whose closing line looks like an
        // element's end: a cut there starts a run mid-user.
        let text = """
            {
              "formatVersion" : 1,
              "value" : [
                {
                  "id" : "a",
                  "userPrincipalName" : "a@x"
                },
                {
                  "id" : "b",
                  "odd" : [ {
                "x" : 1
                }, { "y" : 2
                } ],
                  "userPrincipalName" : "b@x"
                },
                {
                  "id" : "c",
                  "userPrincipalName" : "c@x"
                }
              ]
            }
            """
        let data = Data(text.utf8)
        let whole = try foundation(data)
        #expect(whole.value.map(\.id) == ["a", "b", "c"])
        for runBytes in 1...text.utf8.count {
            if let read = speculative(data, runBytes: runBytes) { #expect(read.value == whole.value, "runs of \(runBytes) bytes") }
        }
        // The cut inside "odd" is guessed and refused; the whole-file path still reads it.
        let odd = try #require(text.range(of: #""odd""#)).lowerBound
        let oddOffset = text.utf8.distance(from: text.utf8.startIndex, to: odd)
        let cut = data.withUnsafeBytes { SpeculativeListDecoding.nextCut(in: $0, after: oddOffset, closing: Array("\n    }".utf8)) }
        let guessed = try #require(cut)
        #expect(text.utf8.dropFirst(guessed).starts(with: Array(#"{ "y""#.utf8)), "the guess lands inside the odd field")
        #expect(speculative(data, runBytes: 60) == nil)
    }

    @Test("a file without line breaks is not guessed at; a store still loads it")
    func compactFileNotGuessed() throws {
        let tenant = SyntheticTenant.make(users: 300, groups: 2, seed: 4)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(GraphListFile(tenant.users))
        #expect(speculative(data, runBytes: 1_000) == nil)
        #expect(try foundation(data).value == tenant.users)
    }
}
