import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running `serve` on the demo tenant, its base address and token. Sendable: its fields are
/// constants, and tests send requests from several threads at once.
final class GraphTestServer: @unchecked Sendable {
    let directory: TemporaryDirectory
    let process: RunningProcess
    let base: String
    let token: String

    /// `tokens`: a token file's admins by token (the server then prints none); `roles`: a
    /// roles.json to put in the state first; `sharing`: serve the state another server serves.
    /// `mergingErrors`: the server's standard error (its log) is read into `process.output` too.
    init(
        tokens: [String: String]? = nil, roles: String? = nil, extra: [String] = [], sharing other: GraphTestServer? = nil, mergingErrors: Bool = false,
        port: Int = 0, environment: [String: String] = [:]
    ) throws {
        directory = other?.directory ?? TemporaryDirectory()
        if other == nil { #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0) }
        if let roles { try roles.write(toFile: directory.file("roles.json"), atomically: true, encoding: .utf8) }
        var arguments = ["serve", "--state", directory.path, "--listen", "127.0.0.1:\(port)"] + extra
        if let tokens {
            let file = directory.sibling("tokens") + "/tokens.json"
            try JSONSerialization.data(withJSONObject: ["tokens": tokens]).write(to: URL(fileURLWithPath: file))
            arguments += ["--token-file", file]
        }
        process = try RunningProcess(arguments, mergingErrors: mergingErrors, environment: environment)
        guard process.waitForLine(startingWith: "Listening on", timeout: 30) else { throw POSIXError(.ETIMEDOUT) }
        let lines = process.output
        base = String(lines.first { $0.hasPrefix("Listening on ") }!.split(separator: " ")[2])
        // With several tokens, tests name the one they use; the smallest is the default.
        token = tokens?.keys.sorted().first ?? lines.first { $0.hasPrefix("Token for") }.map { String($0.split(separator: " ").last!) } ?? ""
    }

    deinit { process.kill() }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var json: [String: Any]
        var error: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    func post(_ path: String, _ body: String) throws -> Answer {
        try get(path, method: "POST", body: Data(body.utf8), headers: ["Content-Type": "application/json"])
    }

    func get(
        _ path: String, token: String? = nil, method: String = "GET", body: Data? = nil, headers: [String: String] = [:], absolute: Bool = false
    ) throws -> Answer {
        var request = URLRequest(url: URL(string: absolute ? path : base + path)!)
        request.httpMethod = method
        request.httpBody = body
        if let token = token ?? Optional(self.token), !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?) = (nil, nil)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = (data, response)
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 30)
        let http = try #require(result.1 as? HTTPURLResponse)
        let json = (try? JSONSerialization.jsonObject(with: result.0 ?? Data())) as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        return Answer(status: http.statusCode, headers: fields, json: json)
    }
}
