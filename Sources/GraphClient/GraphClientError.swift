import Foundation

/// Why talking to a live tenant failed, in words an admin can act on.
public enum GraphClientError: Error, CustomStringConvertible, Sendable {
    /// The token command failed or printed nothing.
    case token(String)
    /// No answer: connection refused, reset, timed out — after the retries.
    case connection(url: String, reason: String)
    /// The tenant answered with an error that retrying won't change.
    case refused(url: String, status: Int, code: String, message: String)
    /// A 403: the permission the call needs, by name.
    case permission(url: String, needed: String, message: String)
    /// An answer that is not what Graph sends.
    case malformed(url: String, reason: String)
    /// A push record in the state that can't be used.
    case record(path: String, reason: String)

    public var description: String {
        switch self {
        case .token(let why): "no access token: \(why)"
        case .connection(let url, let reason): "\(url): no answer (\(reason)) after retrying; is the Graph URL right and the tenant reachable?"
        case .refused(let url, let status, let code, let message): "\(url): \(status) \(code): \(message)"
        case .permission(let url, let needed, let message):
            "\(url): 403 Authorization_RequestDenied (\(message)); the token needs the Graph permission \(needed) (admin consent for an app)"
        case .malformed(let url, let reason): "\(url): \(reason)"
        case .record(let path, let reason): "\(path) \(reason)"
        }
    }

    /// `licensedesk`'s exit codes: 1 refused by the tenant, 2 bad input or connection.
    public var exitCode: Int32 {
        switch self {
        // A tenant that kept saying "later" (or was unavailable) did not refuse: run it again later.
        case .refused(_, 429, _, _), .refused(_, 503, _, _), .refused(_, 504, _, _): 2
        case .refused, .permission: 1
        case .token, .connection, .malformed, .record: 2
        }
    }
}
