import Foundation
import Hummingbird

/// An error answered in Graph's shape: `{"error": {"code", "message", "innerError": {"date",
/// "request-id", "client-request-id"}}}` with Graph's codes (`specs/graph.md` §6).
public struct GraphError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: [(String, String)] = []

    public init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func unauthenticated(_ message: String) -> GraphError {
        var error = GraphError(status: .unauthorized, code: "InvalidAuthenticationToken", message: message)
        // Without `claims`: the Python SDK would otherwise ask its credential again and retry.
        error.headers = [("WWW-Authenticate", "Bearer")]
        return error
    }

    static func notFound(_ id: String) -> GraphError {
        GraphError(
            status: .notFound, code: "Request_ResourceNotFound",
            message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
    }

    static func badRequest(_ message: String) -> GraphError { GraphError(status: .badRequest, code: "Request_BadRequest", message: message) }

    static func unsupportedQuery(_ message: String) -> GraphError {
        GraphError(status: .badRequest, code: "Request_UnsupportedQuery", message: message)
    }

    /// The body, with this request's ids and Graph's zone-less date.
    func body(requestID: String, clientRequestID: String) -> [String: Any] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return [
            "error": [
                "code": code, "message": message,
                "innerError": ["date": formatter.string(from: Date()), "request-id": requestID, "client-request-id": clientRequestID],
            ]
        ]
    }
}
