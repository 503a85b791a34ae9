import AsyncHTTPClient
import Foundation
import Interchange
import NIOCore
import NIOHTTP1

/// Requests to one Graph endpoint (`https://graph.microsoft.com/v1.0`, a national cloud, or
/// `licensedesk serve`): the bearer token on each, retries as `RetryPolicy` says, a new token
/// once when the tenant says the one in hand expired, and Graph's error bodies turned into
/// `GraphClientError`s.
public final class GraphConnection: @unchecked Sendable {
    public let base: String
    let tokens: any AccessTokenProvider
    let retry: RetryPolicy
    let client: HTTPClient
    private let lock = NSLock()
    private var token: String?
    /// Said when a request is retried (the progress line shows it).
    var onRetry: @Sendable (String) -> Void = { _ in }
    /// How long to wait; tests make it instant.
    var sleep: @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    /// Bodies larger than this are refused (a page of 999 users with every property is a few MB).
    static let bodyLimit = 256 << 20

    /// `base`: the version root, e.g. `https://graph.microsoft.com/v1.0`.
    public init(base: String, tokens: any AccessTokenProvider, retry: RetryPolicy = RetryPolicy()) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.tokens = tokens
        self.retry = retry
        // A refused or unreachable address is tried for 3 s (the client retries inside that),
        // then `RetryPolicy.connectionAttempts` times in all: a wrong URL is said in seconds.
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(3), read: .seconds(60))
        // Graph answers where it is asked; a redirect elsewhere is not the tenant's answer.
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// A JSON object from `url` (absolute, or a path under `base`).
    func getJSON(_ url: String, headers: [(String, String)] = []) async throws(GraphClientError) -> [String: Any] {
        let (absolute, body) = try await get(url, headers: headers)
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .malformed(url: absolute, reason: "the answer is not a JSON object")
        }
        return object
    }

    /// A page of a collection: its bytes as sent (kept as they are) and what paging needs,
    /// read by JSONDecoder (JSONSerialization on Linux bridges every object it makes).
    func getPage(_ url: String, headers: [(String, String)] = []) async throws(GraphClientError) -> (data: Data, page: Page) {
        let (absolute, body) = try await get(url, headers: headers)
        do { return (body, try JSONDecoder().decode(Page.self, from: body)) } catch {
            throw .malformed(url: absolute, reason: "not a Graph list page (an object with a \"value\" list): \(error)")
        }
    }

    /// What paging reads of a page: each item's id and type, the next link, the count.
    struct Page: Decodable {
        struct Item: Decodable {
            var id: String?
            var type: String?
            enum CodingKeys: String, CodingKey { case id, type = "@odata.type" }
        }
        var value: [Item]
        var nextLink: String?
        var count: Int?
        enum CodingKeys: String, CodingKey { case value, nextLink = "@odata.nextLink", count = "@odata.count" }
    }

    private func get(_ url: String, headers: [(String, String)]) async throws(GraphClientError) -> (String, Data) {
        let absolute = try self.absolute(url)
        return (absolute, try await send(absolute, headers: headers))
    }

    private func absolute(_ url: String) throws(GraphClientError) -> String {
        let absolute = url.lowercased().hasPrefix("http") ? url : base + (url.hasPrefix("/") ? url : "/" + url)
        // The token goes only where the admin pointed: a next link to another host is refused.
        guard Self.sameOrigin(absolute, base) else {
            throw .malformed(url: absolute, reason: "the tenant sent a link to another host than \(base); not following it with the token")
        }
        return absolute
    }

    /// The tenant that answers here.
    public struct Organization: Sendable {
        public var id: String
        public var name: String
    }

    public func organization() async throws(GraphClientError) -> Organization {
        let object = try await getJSON("/organization?$select=id,displayName")
        guard let first = (object["value"] as? [[String: Any]])?.first, let id = first["id"] as? String else {
            throw .malformed(url: base + "/organization", reason: "no organization in the answer")
        }
        return Organization(id: id, name: first["displayName"] as? String ?? id)
    }

    /// A JSON object from `url`, or nil when the tenant says 404 (the object is not there).
    func getIfPresent(_ url: String, headers: [(String, String)] = []) async throws(GraphClientError) -> [String: Any]? {
        do {
            return try await getJSON(url, headers: headers)
        } catch {
            if case .refused(_, 404, _, _) = error { return nil }
            throw error
        }
    }

    /// Many GETs of single objects at once, 20 to a `$batch` (path → object, nil for a 404).
    /// An item the tenant throttles, or a batch whose answer is lost, is read on its own (reads
    /// are safe to ask again).
    func readAll(_ paths: [String]) async throws(GraphClientError) -> [String: [String: Any]?] {
        var found: [String: [String: Any]?] = [:]
        let unique = Array(Set(paths)).sorted()
        for start in stride(from: 0, to: unique.count, by: 20) {
            let slice = Array(unique[start..<min(start + 20, unique.count)])
            let requests = slice.enumerated().map { ["id": String($0.offset + 1), "method": "GET", "url": $0.element] }
            var alone: [String] = []
            do {
                let body = try JSONSerialization.data(withJSONObject: ["requests": requests])
                let answer = try await postJSON("/$batch", body: body)
                let responses = answer["responses"] as? [[String: Any]] ?? []
                for (offset, path) in slice.enumerated() {
                    guard let response = responses.first(where: { ($0["id"] as? String) == String(offset + 1) }), let status = response["status"] as? Int
                    else {
                        alone.append(path)
                        continue
                    }
                    if status == 404 {
                        found[path] = .some(nil)
                    } else if (200..<300).contains(status), let object = response["body"] as? [String: Any] {
                        found[path] = object
                    } else {
                        alone.append(path)
                    }
                }
            } catch {
                alone = slice
            }
            for path in alone { found[path] = .some(try await getIfPresent(path)) }
        }
        return found
    }

    /// POSTs a JSON body (a `$batch`) and returns the answer's JSON object. 429, 503 and 504 are
    /// retried (the tenant did not run the request); a connection that fails is not: the
    /// request may have reached the tenant, so the caller finds out what happened before
    /// anything is sent again (`.connection`).
    func postJSON(_ url: String, body: Data) async throws(GraphClientError) -> [String: Any] {
        let absolute = try self.absolute(url)
        let answer = try await send(absolute, headers: [("Content-Type", "application/json")], method: .POST, body: body)
        guard let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] else {
            throw .malformed(url: absolute, reason: "the answer is not a JSON object")
        }
        return object
    }

    private func currentToken(renew: Bool) async throws(GraphClientError) -> String {
        if !renew, let token = lock.withLock({ token }) { return token }
        let fresh = try await tokens.token(renew: renew)
        lock.withLock { token = fresh }
        return fresh
    }

    /// Seconds a whole answer may take to arrive: a tenant that trickles a byte a second is cut
    /// off (and the request tried again), not waited on for ever.
    static let bodyDeadline = 180.0

    struct BodyTimedOut: Error, CustomStringConvertible {
        var description: String { "the answer did not arrive whole within \(Int(GraphConnection.bodyDeadline)) s" }
    }

    /// The body, up to `bodyLimit` bytes, within `seconds`.
    static func collect(_ body: HTTPClientResponse.Body, within seconds: Double) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: bodyLimit) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw BodyTimedOut() }
            return buffer
        }
    }

    /// Seconds spent waiting on one request's retries, at most: a tenant that keeps saying
    /// "later" ends the pull (resumable) rather than parking it for an hour.
    static let waitBudget = 900.0

    private func send(_ url: String, headers: [(String, String)], method: HTTPMethod = .GET, body: Data? = nil) async throws(GraphClientError) -> Data {
        var renewed = false
        var attempt = 0
        var waited = 0.0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            request.headers.add(name: "Authorization", value: "Bearer \(try await currentToken(renew: false))")
            request.headers.add(name: "Accept", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let status: Int
            let answerHeaders: HTTPHeaders
            let body: Data
            do {
                let response = try await client.execute(request, timeout: .seconds(60))
                status = Int(response.status.code)
                answerHeaders = response.headers
                body = Data((try await Self.collect(response.body, within: Self.bodyDeadline)).readableBytesView)
            } catch is NIOTooManyBytesError {
                throw .malformed(url: url, reason: "the answer is larger than \(Self.bodyLimit >> 20) MB; not a Graph page")
            } catch {
                guard method == .GET, attempt < retry.connectionAttempts else { throw .connection(url: url, reason: "\(error)") }
                let wait = retry.delay(attempt: attempt, retryAfter: nil)
                onRetry("connection failed (\(error)); retrying in \(String(format: "%.1f", wait)) s")
                await sleep(wait)
                continue
            }
            if (200..<300).contains(status) { return body }
            if (300..<400).contains(status) {
                throw .malformed(
                    url: url,
                    reason:
                        "the endpoint answered \(status), a redirect (to \(answerHeaders.first(name: "Location") ?? "nowhere")); point --graph-url at where Graph answers"
                )
            }
            if status == 401, !renewed {
                // Expired or revoked: one new token, then the request again.
                renewed = true
                _ = try await currentToken(renew: true)
                continue
            }
            if RetryPolicy.isRetried(status: status), attempt < retry.attempts, waited < Self.waitBudget {
                let wait = min(retry.delay(attempt: attempt, retryAfter: answerHeaders.first(name: "Retry-After")), Self.waitBudget - waited)
                waited += wait
                onRetry("\(status) from the tenant; retrying in \(String(format: "%.1f", wait)) s")
                await sleep(wait)
                continue
            }
            throw Self.error(url: url, status: status, body: body)
        }
    }

    /// Same scheme, host and port.
    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = URLComponents(string: a), let y = URLComponents(string: b) else { return false }
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : c.scheme?.lowercased() == "http" ? 80 : nil) }
        return x.scheme?.lowercased() == y.scheme?.lowercased() && x.host?.lowercased() == y.host?.lowercased() && port(x) == port(y)
    }

    /// Graph's error body as an error; a 403 names the permission the path needs.
    static func error(url: String, status: Int, body: Data) -> GraphClientError {
        let error = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["error"] as? [String: Any]
        let code = error?["code"] as? String ?? "HTTP \(status)"
        let message = error?["message"] as? String ?? String(decoding: body.prefix(300), as: UTF8.self)
        if status == 403 { return .permission(url: url, needed: permission(for: url), message: message) }
        return .refused(url: url, status: status, code: code, message: message)
    }

    /// The least-privileged permission a push's step needs (specs/graph.md §8.3).
    static func writePermission(for operation: ChangePlan.Operation) -> String {
        switch operation {
        case .groupLicenses, .userLicenses, .reprocessUser: "LicenseAssignment.ReadWrite.All"
        case .addMember, .removeMember: "GroupMember.ReadWrite.All (or Group.ReadWrite.All)"
        case .createGroup, .updateGroup, .deleteGroup: "Group.ReadWrite.All"
        case .updateUser: "User.ReadWrite.All"
        }
    }

    /// The least-privileged application permission that reads what `url` names
    /// (specs/graph.md §8.3).
    static func permission(for url: String) -> String {
        let path = URLComponents(string: url)?.path.lowercased() ?? url.lowercased()
        if path.contains("/members") || path.contains("/groups") { return "GroupMember.Read.All (or Group.Read.All)" }
        if path.contains("/subscribedskus") || path.contains("/organization") { return "Organization.Read.All" }
        if path.contains("/licensedetails") { return "User.Read.All (or LicenseAssignment.Read.All)" }
        return "User.Read.All"
    }
}
