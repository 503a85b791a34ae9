import Foundation
import Testing

@testable import GraphClient

@Suite("Graph client: retries, errors, tokens")
struct GraphClientTests {
    @Test("Retry-After in seconds or as an HTTP date is honoured; without it the wait doubles, jittered, up to the cap")
    func retryDelays() {
        let policy = RetryPolicy(base: 1, maximum: 60)
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // Thu, 01 Jan 2026 00:00:00 GMT
        #expect(policy.delay(attempt: 1, retryAfter: "7", now: now) == 7)
        #expect(policy.delay(attempt: 1, retryAfter: "Thu, 01 Jan 2026 00:00:30 GMT", now: now) == 30)
        #expect(policy.delay(attempt: 1, retryAfter: nil, jitter: 1) == 1)
        #expect(policy.delay(attempt: 4, retryAfter: nil, jitter: 1) == 8)
        #expect(policy.delay(attempt: 20, retryAfter: nil, jitter: 1) == 60)
        #expect(policy.delay(attempt: 3, retryAfter: nil, jitter: 0.5) == 2)
        #expect(RetryPolicy.isRetried(status: 429) && RetryPolicy.isRetried(status: 503) && RetryPolicy.isRetried(status: 504))
        #expect(!RetryPolicy.isRetried(status: 400) && !RetryPolicy.isRetried(status: 403))
    }

    @Test("a 403 names the Graph permission the path needs; other errors keep Graph's code and message")
    func errors() {
        let body = Data(#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#.utf8)
        let members = GraphConnection.error(url: "https://graph.microsoft.com/v1.0/groups/x/members?$top=999", status: 403, body: body)
        #expect(members.description.contains("GroupMember.Read.All"), "\(members)")
        #expect(members.exitCode == 1)
        // A tenant that kept saying "later" or was unavailable did not refuse: exit 2, run it again.
        for status in [429, 503, 504] {
            #expect(GraphClientError.refused(url: "u", status: status, code: "c", message: "m").exitCode == 2)
        }
        #expect(GraphClientError.refused(url: "u", status: 400, code: "c", message: "m").exitCode == 1)
        #expect(
            GraphConnection.error(url: "https://graph.microsoft.com/v1.0/subscribedSkus", status: 403, body: body).description.contains("Organization.Read.All")
        )
        #expect(GraphConnection.error(url: "https://graph.microsoft.com/v1.0/users?$top=999", status: 403, body: body).description.contains("User.Read.All"))
        let bad = GraphConnection.error(url: "u", status: 400, body: Data(#"{"error":{"code":"Request_BadRequest","message":"nope"}}"#.utf8))
        #expect(bad.description == "u: 400 Request_BadRequest: nope")
        #expect(GraphConnection.error(url: "u", status: 502, body: Data("<html>".utf8)).description.contains("HTTP 502"))
    }

    @Test("the token command's output is the token; a failing command, no output or several words are refused, with why")
    func tokens() throws {
        #expect(try TokenSource(command: "printf ' abc.def \\n'").token() == "abc.def")
        // A command that waits for ever (a prompt no one answers) is stopped and said.
        let started = Date()
        #expect(throws: GraphClientError.self) { try TokenSource(command: "exec sleep 30", timeout: 1).token() }
        #expect(Date().timeIntervalSince(started) < 20)
        do {
            _ = try TokenSource(command: "exec sleep 30", timeout: 1).token()
        } catch {
            #expect(error.description.contains("did not finish within 1 s"), "\(error)")
        }
        #expect(throws: GraphClientError.self) { try TokenSource(command: "echo oops >&2; exit 4").token() }
        #expect(throws: GraphClientError.self) { try TokenSource(command: "true").token() }
        #expect(throws: GraphClientError.self) { try TokenSource(command: "echo two words").token() }
        do {
            _ = try TokenSource(command: "echo oops >&2; exit 4").token()
        } catch {
            #expect(error.description.contains("exited with 4: oops"))
        }
    }

    @Test("the token goes only to the endpoint the admin named: a next link to another host, scheme or port is not followed")
    func sameOrigin() {
        let base = "https://graph.microsoft.com/v1.0"
        #expect(GraphConnection.sameOrigin("https://graph.microsoft.com/v1.0/users?$skiptoken=x", base))
        #expect(GraphConnection.sameOrigin("https://GRAPH.microsoft.com:443/v1.0/users", base))
        #expect(!GraphConnection.sameOrigin("https://graph.microsoft.com.evil.example/v1.0/users", base))
        #expect(!GraphConnection.sameOrigin("http://graph.microsoft.com/v1.0/users", base))
        #expect(!GraphConnection.sameOrigin("https://graph.microsoft.com:8443/v1.0/users", base))
        #expect(!GraphConnection.sameOrigin("https://attacker@evil.example/v1.0", base))
        // A Retry-After of a day is five minutes; garbage is backoff.
        #expect(RetryPolicy().delay(attempt: 1, retryAfter: "86400") == 300)
        #expect(RetryPolicy().delay(attempt: 1, retryAfter: "-5") == 0)
        #expect(RetryPolicy(base: 1).delay(attempt: 1, retryAfter: "soon", jitter: 1) == 1)
    }
}
