import Foundation
import HTTPTypes
import Hummingbird

/// `POST /$batch`: up to 20 requests, each answered on its own, `dependsOn` honoured (a request
/// whose dependency failed gets 424), Graph's refusals for a malformed batch. Each item is handed
/// to this endpoint's own router in-process, with the batch's own token, so it goes through
/// exactly the routes, checks and commit path a single request does.
extension GraphRoutes {
    static let batchLimit = 20

    func registerBatch(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.post("\(version)/$batch") { request, context in
                let authorization = request.headers[.authorization]
                return await answer(request, version, readsBody: true) { try await batch($0.body, authorization: authorization, context: context, $0, version) }
            }
        }
    }

    struct BatchItem {
        var id: String
        var method: String
        var url: String
        var headers: [String: String]
        var body: Any?
        var dependsOn: [String]
    }

    private func batch(
        _ body: Result<[String: Any], GraphError>, authorization: String?, context: BasicRequestContext, _ call: Call, _ version: String
    ) async throws
        -> (Any, [(String, String)])
    {
        let items = try Self.batchItems(try body.get(), version: version, base: base)
        var responses: [[String: Any]] = []
        var failed: Set<String> = []
        for item in items {
            if let failedDependency = item.dependsOn.first(where: { failed.contains($0.lowercased()) }) {
                failed.insert(item.id.lowercased())
                let error = GraphError(
                    status: HTTPResponse.Status(code: 424), code: "Request_BadRequest", message: "The request depends on \(failedDependency), which failed.")
                responses.append([
                    "id": item.id, "status": 424, "headers": ["Content-Type": GraphReply.contentType],
                    "body": error.body(requestID: call.requestID, clientRequestID: call.clientRequestID),
                ])
                continue
            }
            let answer = await send(item, authorization: authorization, context: context, version: version)
            if (answer["status"] as? Int ?? 500) >= 400 { failed.insert(item.id.lowercased()) }
            responses.append(answer)
        }
        return (["responses": responses], [])
    }

    /// The batch's requests, checked whole before any is sent (Graph refuses a malformed batch
    /// with 400 and runs none of it).
    static func batchItems(_ object: [String: Any], version: String, base: String) throws(GraphError) -> [BatchItem] {
        guard let list = object["requests"] as? [[String: Any]] else { throw .badRequest("Invalid batch payload format.") }
        guard list.count <= batchLimit else { throw .badRequest("Number of batch request steps exceeds the maximum of \(batchLimit).") }
        var items: [BatchItem] = []
        var seen: Set<String> = []
        for entry in list {
            guard let id = entry["id"] as? String, let method = (entry["method"] as? String)?.uppercased(), let url = entry["url"] as? String else {
                throw .badRequest("Invalid batch payload format: every request needs id, method and url.")
            }
            guard !id.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badRequest("Invalid batch payload format: a request's id is empty.") }
            if let body = entry["body"], !(body is [String: Any] || body is [Any]) {
                // A body sent as a JSON string (encoded twice) or a bare value: Graph wants the object.
                throw .badRequest("Invalid batch payload format: the body of request \(id) must be a JSON object or array, not a string or a bare value.")
            }
            guard seen.insert(id.lowercased()).inserted else { throw .badRequest("Batch request ids must be unique: \(id) is there twice.") }
            let headers = (entry["headers"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
            if entry["body"] != nil, !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                throw .badRequest("Content-Type header is missing for the request with id \(id).")
            }
            let dependsOn = entry["dependsOn"] as? [String] ?? []
            for dependency in dependsOn where !seen.contains(dependency.lowercased()) || dependency.lowercased() == id.lowercased() {
                throw .badRequest("Invalid dependency for request Id \(id): \(dependency) must come earlier in the batch.")
            }
            // Relative to the version root, as Graph takes it; an absolute URL on this
            // endpoint's own base is taken too (the Python SDK sends those).
            var path = url
            for prefix in ["\(base)/\(version)", "https://graph.microsoft.com/\(version)"] where path.hasPrefix(prefix) {
                path = String(path.dropFirst(prefix.count))
            }
            guard !path.lowercased().hasPrefix("http") else { throw .badRequest("Invalid batch payload format: \(url) is not relative to /\(version).") }
            guard !path.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")).hasPrefix("$batch") else {
                throw .badRequest("Invalid batch payload format: a batch can't hold another $batch (request \(id)).")
            }
            items.append(
                BatchItem(id: id, method: method, url: path.hasPrefix("/") ? path : "/" + path, headers: headers, body: entry["body"], dependsOn: dependsOn))
        }
        // Graph takes a batch fully sequential (each item on the one before it) or fully
        // parallel (none on another); anything between is refused.
        if items.contains(where: { !$0.dependsOn.isEmpty }) {
            let sequential = items.indices.allSatisfy { index in
                index == 0 ? items[0].dependsOn.isEmpty : items[index].dependsOn.map { $0.lowercased() } == [items[index - 1].id.lowercased()]
            }
            guard sequential else { throw .badRequest("Batch should be either fully sequential or fully parallel") }
        }
        return items
    }

    /// One item, through this endpoint's router.
    private func send(_ item: BatchItem, authorization: String?, context: BasicRequestContext, version: String) async -> [String: Any] {
        guard let method = HTTPRequest.Method(item.method) else {
            return [
                "id": item.id, "status": 405,
                "body": GraphError.badRequest("Specified HTTP method is not allowed for the request target.").body(requestID: "", clientRequestID: ""),
            ]
        }
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        // The batch's own caller stands for every item: an item's Authorization is not taken.
        for (name, value) in item.headers where name.lowercased() != "authorization" { if let field = HTTPField.Name(name) { fields[field] = value } }
        let bytes = item.body.flatMap { JSONSerialization.isValidJSONObject($0) ? try? JSONSerialization.data(withJSONObject: $0) : nil } ?? Data()
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: "/\(version)\(item.url)", headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: bytes)))
        do {
            let response = try await dispatcher.respond(to: request, context: context)
            var headers: [String: String] = [:]
            for field in response.headers where ["content-type", "odata-version", "request-id"].contains(field.name.canonicalName) {
                headers[field.name.rawName] = field.value
            }
            let data = try await BatchDispatcher.collect(response.body)
            var answer: [String: Any] = ["id": item.id, "status": Int(response.status.code), "headers": headers]
            if !data.isEmpty { answer["body"] = (try? JSONSerialization.jsonObject(with: data)) ?? String(decoding: data, as: UTF8.self) }
            return answer
        } catch {
            let segment = item.url.split(separator: "?").first.map(String.init) ?? item.url
            return [
                "id": item.id, "status": 400,
                "body": GraphError.badRequest("Resource not found for the segment '\(segment)'.").body(requestID: "", clientRequestID: ""),
            ]
        }
    }
}

/// The router's own responder, for `$batch` items: known once the routes are registered.
final class BatchDispatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var responder: UniqueNameAddressing?

    func set(_ responder: UniqueNameAddressing) { lock.withLock { self.responder = responder } }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        guard let responder = lock.withLock({ responder }) else { throw GraphError.badRequest("the server is still starting") }
        return try await responder.respond(to: request, context: context)
    }

    /// A response body's bytes.
    static func collect(_ body: ResponseBody) async throws -> Data {
        let sink = Sink()
        try await body.write(Collector(sink: sink))
        return sink.data
    }

    final class Sink: @unchecked Sendable {
        var data = Data()
    }

    struct Collector: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws { sink.data.append(contentsOf: buffer.readableBytesView) }
        mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
            for buffer in buffers { sink.data.append(contentsOf: buffer.readableBytesView) }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
