import Foundation
import LicenseModel
import Testing

@testable import LicenseStore

/// Big list files are written in chunks encoded on every core; the bytes must be exactly the
/// ones one encoder writes for the whole file (the format is the Graph shape, diffed by admins).
@Suite("Chunked list encoding")
struct ChunkedListEncodingTests {
    func chunked<Element: Codable & Sendable>(_ file: GraphListFile<Element>, chunkSize: Int) throws -> Data {
        var data = Data()
        try ChunkedListEncoding.encode(file, chunkSize: chunkSize) { data.append($0) }
        return data
    }

    /// Where two encodings part, for a readable failure.
    func firstDifference(_ a: Data, _ b: Data) -> String {
        let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        func around(_ data: Data) -> String { String(decoding: data.dropFirst(max(0, index - 60)).prefix(120), as: UTF8.self) }
        return "at byte \(index) of \(a.count)/\(b.count):\n\(around(a))\n---\n\(around(b))"
    }

    @Test("users in chunks give the bytes of one encoding, unknown fields of the file included")
    func users() throws {
        let tenant = SyntheticTenant.make(users: 700, groups: 6)
        var file = GraphListFile(tenant.users + DemoTenant.make().users)
        file.extra = ["@odata.context": .string("https://graph.microsoft.com/v1.0/$metadata#users"), "zz": .array([.int(1), .null])]
        let whole = try StateJSON.encode(file)
        for size in [1, 7, 256, 699, 2_048] {
            let data = try chunked(file, chunkSize: size)
            #expect(data == whole, "chunks of \(size): \(firstDifference(data, whole))")
        }
    }

    @Test("groups with long member lists, and a list too short to chunk")
    func groups() throws {
        let tenant = SyntheticTenant.make(users: 500, groups: 12)
        let file = GraphListFile(tenant.groups)
        #expect(try chunked(file, chunkSize: 5) == (try StateJSON.encode(file)))
        let empty = GraphListFile([Group]())
        #expect(try chunked(empty, chunkSize: 1) == (try StateJSON.encode(empty)))
    }
}
