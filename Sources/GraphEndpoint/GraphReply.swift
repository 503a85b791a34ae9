import Foundation
import HTTPTypes
import Hummingbird

/// Graph's JSON answers: its content type, `OData-Version`, and request ids on every response.
enum GraphReply {
    static let contentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    static func json(_ object: Any, status: HTTPResponse.Status = .ok, requestID: String, clientRequestID: String, extra: [(String, String)] = []) -> Response {
        let data = GraphJSONWriter.data(object) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("OData-Version")!] = "4.0"
        headers[HTTPField.Name("request-id")!] = requestID
        headers[HTTPField.Name("client-request-id")!] = clientRequestID
        for (name, value) in extra {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// 204: no body, the ids still.
    static func empty(requestID: String, clientRequestID: String, extra: [(String, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("request-id")!] = requestID
        headers[HTTPField.Name("client-request-id")!] = clientRequestID
        for (name, value) in extra { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .noContent, headers: headers)
    }

    static func error(_ error: GraphError, requestID: String, clientRequestID: String) -> Response {
        json(
            error.body(requestID: requestID, clientRequestID: clientRequestID), status: error.status, requestID: requestID, clientRequestID: clientRequestID,
            extra: error.headers)
    }
}
