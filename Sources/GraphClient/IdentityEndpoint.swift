import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The Microsoft identity platform's OAuth 2.0 endpoints for one tenant (specs/graph.md §8):
/// `{authority}/{tenant}/oauth2/v2.0/token` and `…/devicecode`, form-encoded POSTs answered
/// with JSON. `authority` is `https://login.microsoftonline.com`, a national cloud's
/// (`https://login.microsoftonline.us`, `https://login.chinacloudapi.cn`), or a test's.
public struct IdentityEndpoint: Sendable {
    public let authority: String
    public let tenant: String

    /// Secrets travel here: https only, but for this machine's loopback (a test's endpoint).
    public init(authority: String, tenant: String) throws(GraphClientError) {
        let trimmed = authority.hasSuffix("/") ? String(authority.dropLast()) : authority
        guard let url = URLComponents(string: trimmed), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            throw .token("--login-url takes a URL such as https://login.microsoftonline.com; got \(authority)")
        }
        guard SecretCarriers.mayCarrySecrets(scheme: scheme, host: host) else {
            throw .token("--login-url must be https (secrets and tokens travel there); http is taken only on this machine's loopback")
        }
        guard !tenant.isEmpty, tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw .token("--tenant is a tenant id, a domain such as contoso.onmicrosoft.com, or organizations; got \(tenant)")
        }
        self.authority = trimmed
        self.tenant = tenant
    }

    var tokenURL: String { "\(authority)/\(tenant)/oauth2/v2.0/token" }
    var deviceCodeURL: String { "\(authority)/\(tenant)/oauth2/v2.0/devicecode" }

    /// An answer: its status and JSON object (an OAuth error body has `error` and
    /// `error_description`).
    struct Answer {
        var status: Int
        var json: [String: Any]
        var error: String? { json["error"] as? String }
        var errorDescription: String { (json["error_description"] as? String).map { String($0.prefix(400)) } ?? error ?? "HTTP \(status)" }
    }

    func post(_ url: String, form: [(String, String)]) async throws(GraphClientError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(form)))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            return Answer(status: Int(response.status.code), json: json)
        } catch {
            throw .token("the identity platform at \(authority) did not answer (\(error)); is --login-url right?")
        }
    }

    /// A token answer: the access token and when it stops, or the sign-in refusal in words
    /// that say what to do (a missing consent names the permissions).
    static func token(from answer: Answer, permissions: String) throws(GraphClientError) -> IssuedToken {
        guard answer.status == 200, let access = answer.json["access_token"] as? String, !access.isEmpty else {
            throw refusal(answer, permissions: permissions)
        }
        guard SecretCarriers.isHeaderSafe(access) else {
            throw .token("the identity platform issued an access token with characters a token can't have (spaces, control or non-ASCII characters)")
        }
        let lifetime = (answer.json["expires_in"] as? Int) ?? Int(answer.json["expires_in"] as? String ?? "") ?? 3599
        return IssuedToken(
            accessToken: access, expiresAt: Date().addingTimeInterval(Double(lifetime)), refreshToken: answer.json["refresh_token"] as? String)
    }

    static func refusal(_ answer: Answer, permissions: String) -> GraphClientError {
        let description = answer.errorDescription
        // AADSTS65001: consent missing; AADSTS7000215/invalid_client: a wrong secret or certificate.
        if description.contains("AADSTS65001") || answer.error == "consent_required" {
            return .token("the app has no consent for the permissions this needs (\(permissions)); an admin grants them: \(description)")
        }
        guard answer.error != nil else {
            return .token("the identity platform answered HTTP \(answer.status) without a token or an OAuth error: is --login-url the identity platform?")
        }
        return .token("the sign-in was refused (\(answer.error ?? "")): \(description)")
    }

    /// `application/x-www-form-urlencoded`: every byte but the unreserved percent-encoded.
    static func formEncoded(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}

/// An access token as the identity platform issued it.
public struct IssuedToken: Codable, Sendable, Equatable {
    public var accessToken: String
    public var expiresAt: Date
    public var refreshToken: String?

    enum CodingKeys: String, CodingKey { case accessToken = "accessToken", expiresAt = "expiresAt", refreshToken = "refreshToken" }

    /// Good for at least five more minutes (a pull's page must not meet its end).
    var isFresh: Bool { expiresAt.timeIntervalSinceNow > 300 }
}
