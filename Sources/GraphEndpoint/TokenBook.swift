import Foundation
import LicenseStore

/// Who is calling: bearer tokens and the admin each one stands for (`--token-file`,
/// `{"tokens": {"<token>": "<admin name>"}}`). The admin's name is the actor in the audit log
/// and the identity checked against `roles.json`. Tokens never appear in logs or errors.
public struct TokenBook: Sendable {
    private let admins: [String: String]

    public init(_ admins: [String: String]) { self.admins = admins }

    /// Reads a token file; says what is wrong with it, never echoing a token.
    public static func load(_ path: String) throws -> TokenBook {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GraphSetupError("\(path) can't be read: \(error.localizedDescription)")
        }
        guard data.count <= 1 << 20 else { throw GraphSetupError("\(path) is larger than 1 MB: not a token file") }
        struct File: Decodable { var tokens: [String: String] }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else {
            throw GraphSetupError(#"\#(path) is not a token file: expected {"tokens": {"<token>": "<admin name>"}}"#)
        }
        for (token, admin) in file.tokens {
            guard token.count >= 16 else { throw GraphSetupError("\(path): a token for \(admin) is shorter than 16 characters") }
            guard !admin.trimmingCharacters(in: .whitespaces).isEmpty else { throw GraphSetupError("\(path): a token has no admin name") }
        }
        return TokenBook(file.tokens)
    }

    /// One new random token for `admin` (when `serve` is started without a token file).
    public static func generated(for admin: String) -> (book: TokenBook, token: String) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token =
            "ld_"
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (TokenBook([token: admin]), token)
    }

    /// The admin an `Authorization: Bearer …` header names, or why not (Graph's 401 messages).
    func admin(forAuthorization header: String?) -> Result<String, GraphError> {
        guard let header, !header.isEmpty else { return .failure(.unauthenticated("Access token is empty.")) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(.unauthenticated("Access token is empty."))
        }
        let presented = String(parts[1]).trimmingCharacters(in: .whitespaces)
        // Compared against every token in full, so the time taken does not tell how much matched.
        var found: String?
        for (token, admin) in admins where Self.constantTimeEqual(token, presented) { found = admin }
        guard let found else { return .failure(.unauthenticated("CompactToken parsing failed with error code: 80049217")) }
        return .success(found)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

/// A problem starting `serve` (a bad token file, an address that can't be listened on).
public struct GraphSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
