import Foundation
import GraphEndpoint
import TestSupport
import Testing

@Suite("Token files for serve")
struct TokenBookTests {
    @Test(
        "a token file that is not one says why, and never echoes a token",
        arguments: [
            ("not json", "is not a token file"), (#"{"tokens": {"short": "alice"}}"#, "shorter than 16 characters"),
            (#"{"tokens": {"0123456789abcdef0123": "  "}}"#, "has no admin name"), (#"{"admins": {}}"#, "is not a token file"),
        ])
    func badFiles(text: String, reason: String) throws {
        let directory = TemporaryDirectory("licensedesk-tokens")
        let path = directory.file("tokens.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try TokenBook.load(path)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(reason) && !text.contains("0123456789abcdef0123")
        }
    }

    @Test("a good file loads; a made token is long and random")
    func goodFile() throws {
        let directory = TemporaryDirectory("licensedesk-tokens")
        let path = directory.file("tokens.json")
        try Data(#"{"tokens": {"0123456789abcdef0123": "alice"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        _ = try TokenBook.load(path)
        let (_, first) = TokenBook.generated(for: "bob")
        let (_, second) = TokenBook.generated(for: "bob")
        #expect(first != second)
        #expect(first.count >= 40)
    }
}
