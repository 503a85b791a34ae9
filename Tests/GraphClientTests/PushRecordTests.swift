import Foundation
import Testing

@testable import GraphClient

@Suite("Push record: the format in the state's pushes/ folder")
struct PushRecordTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/push-record-1.json")

    @Test("the fixture reads back with every state, and is written byte for byte the same")
    func fixtureRoundTrip() throws {
        let data = try Data(contentsOf: Self.fixture)
        let record = try PushRecord.decode(data, path: Self.fixture.path)
        #expect(record.format == "licensedesk-push-1")
        #expect(record.tenantID == "c0a7e55e-0000-4000-8000-00000000c0de")
        #expect((record.first, record.last) == (2, 9))
        #expect(record.liveGroupIDs["280ccc4e-55b7-44c7-8a19-36178b991cd7"] == "964ba5e4-8c27-4f49-9972-c81867edc5d0")
        #expect(record.steps.map(\.state) == [.done, .refused, .sending, .skipped, .planned])
        #expect(record.steps[1].code == "Request_BadRequest" && record.steps[1].status == 400)
        #expect(record.steps[4].at == nil && record.finished != nil)
        let written = try PushRecord.encoder().encode(record)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines))
    }

    static let stepLines = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/push-steps-1.jsonl")

    @Test("step lines appended after the record put their outcomes over it, in order; a last line cut short is left out; each line is written as the fixture's")
    func stepLines() throws {
        let record = try PushRecord.decode(try Data(contentsOf: Self.fixture), path: Self.fixture.path)
        let lines = try Data(contentsOf: Self.stepLines)
        let resumed = try record.applying(lines: lines, path: Self.stepLines.path)
        #expect(resumed.steps.map(\.state) == [.done, .refused, .done, .skipped, .sending])
        #expect(resumed.steps[2].status == 204)
        let first = try #require(String(decoding: lines, as: UTF8.self).split(separator: "\n").first)
        #expect(String(decoding: PushRecord.line(resumed.steps[2]), as: UTF8.self) == first + "\n")

        func reason(_ text: String) -> String {
            do {
                _ = try record.applying(lines: Data(text.utf8), path: "/s/pushes/p.steps.jsonl")
                return "accepted"
            } catch { return error.description }
        }
        #expect(reason("{\"broken\n" + String(first) + "\n").contains("has a damaged line 1"))
        #expect(reason(String(first).replacingOccurrences(of: "\"number\":3", with: "\"number\":42") + "\n").contains("names step 42"))
        #expect(reason(String(first).replacingOccurrences(of: "reprocessLicenseAssignment", with: "assignLicense") + "\n").contains("names step 3"))
    }

    @Test("a damaged, foreign or doubled record is refused with its path and why, never taken for an empty one")
    func refusals() throws {
        let path = "/state/pushes/push-x-2-9.json"
        func reason(_ text: String) -> String {
            do {
                _ = try PushRecord.decode(Data(text.utf8), path: path)
                return "accepted"
            } catch { return error.description }
        }
        let whole = try String(contentsOf: Self.fixture, encoding: .utf8)
        #expect(reason(String(whole.prefix(200))).hasPrefix(path + " is not a push record"))
        #expect(reason("{}").contains("not a push record"))
        #expect(reason(whole.replacingOccurrences(of: "licensedesk-push-1", with: "licensedesk-push-9")).contains("has format licensedesk-push-9"))
        #expect(reason(whole.replacingOccurrences(of: "\"number\" : 2,", with: "\"number\" : 1,")).contains("names step 1 twice"))
        #expect(reason(whole.replacingOccurrences(of: "\"state\" : \"planned\"", with: "\"state\" : \"maybe\"")).contains("not a push record"))
    }
}
