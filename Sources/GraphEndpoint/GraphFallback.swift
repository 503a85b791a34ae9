import Foundation
import HTTPTypes
import Hummingbird

/// What the router does not know, answered in Graph's shape instead of an empty 404: Graph says
/// `Request_BadRequest` "Resource not found for the segment '…'", and 405 for a method a known
/// path does not take. Also the answer of last resort for any error a handler let escape.
struct GraphFallback<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = UUID().uuidString.lowercased()
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segment = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
            return GraphReply.error(.badRequest("Resource not found for the segment '\(segment)'."), requestID: requestID, clientRequestID: requestID)
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            let failure = GraphError(
                status: .methodNotAllowed, code: "Request_BadRequest", message: "The \(request.method) method is not allowed on \(request.uri.path).")
            return GraphReply.error(failure, requestID: requestID, clientRequestID: requestID)
        } catch {
            let failure = GraphError(status: .internalServerError, code: "InternalServerError", message: "The request could not be completed.")
            return GraphReply.error(failure, requestID: requestID, clientRequestID: requestID)
        }
    }
}
