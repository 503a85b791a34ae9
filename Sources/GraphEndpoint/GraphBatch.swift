import Foundation
import HTTPTypes
import Hummingbird

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `POST /$batch`: up to 20 requests, each answered on its own, `dependsOn` honoured (a request
/// whose dependency failed gets 424), Graph's refusals for a malformed batch. Each item is sent
/// to this same endpoint over loopback with the batch's own token, so it goes through exactly the
/// routes, checks and commit path a single request does.
extension GraphRoutes {
    static let batchLimit = 20

    func registerBatch(on router: Router<BasicRequestContext>) {
        for version in ["v1.0", "beta"] {
            router.post("\(version)/$batch") { request, _ in
                let authorization = request.headers[.authorization]
                var request = request
                let body = await Self.body(&request)
                return await answer(request, version) { try await batch(body, authorization: authorization, $0, version) }
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

    private func batch(_ body: Result<[String: Any], GraphError>, authorization: String?, _ call: Call, _ version: String) async throws
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
            let answer = await send(item, authorization: authorization, version: version)
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

    /// One item, over loopback to this endpoint.
    private func send(_ item: BatchItem, authorization: String?, version: String) async -> [String: Any] {
        guard let url = URL(string: "\(base)/\(version)\(item.url)") else {
            return ["id": item.id, "status": 400, "body": GraphError.badRequest("Invalid URL \(item.url)").body(requestID: "", clientRequestID: "")]
        }
        var request = URLRequest(url: url)
        request.httpMethod = item.method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        for (name, value) in item.headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body = item.body { request.httpBody = try? JSONSerialization.data(withJSONObject: body) }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (name, value) in http?.allHeaderFields ?? [:] {
                let key = String(describing: name)
                if ["content-type", "odata-version", "request-id"].contains(key.lowercased()) { headers[key] = String(describing: value) }
            }
            var answer: [String: Any] = ["id": item.id, "status": http?.statusCode ?? 500, "headers": headers]
            if !data.isEmpty { answer["body"] = (try? JSONSerialization.jsonObject(with: data)) ?? String(decoding: data, as: UTF8.self) }
            return answer
        } catch {
            return [
                "id": item.id, "status": 503,
                "body": GraphError(status: .serviceUnavailable, code: "serviceNotAvailable", message: "\(error)").body(requestID: "", clientRequestID: ""),
            ]
        }
    }
}
