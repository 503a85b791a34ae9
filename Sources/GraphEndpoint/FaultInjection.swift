import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Faults for LicenseDesk's own tests of clients (`pull`): with `LICENSEDESK_TEST_HOOKS=1` and
/// `LICENSEDESK_SERVE_FAULTS=503every=N,dropevery=M`, every Nth GET is answered 503 with
/// `Retry-After: 1`, and every Mth GET sends half its body and then drops the connection (a
/// page cut off mid-way). `dropbatchevery=K` runs every Kth `$batch` whole and then drops the
/// connection before its answer is sent (a push that can't know what took). Off, and inert, in
/// every other case.
struct FaultInjection<Context: RequestContext>: RouterMiddleware {
    let unavailableEvery: Int?
    let dropEvery: Int?
    let dropBatchEvery: Int?
    private let counter = Counter()
    private let batches = Counter()

    /// The faults the environment asks for, or nil.
    static func fromEnvironment() -> FaultInjection? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["LICENSEDESK_TEST_HOOKS"] == "1", let spec = environment["LICENSEDESK_SERVE_FAULTS"] else { return nil }
        var settings: [String: Int] = [:]
        for part in spec.split(separator: ",") {
            let pair = part.split(separator: "=")
            if pair.count == 2, let value = Int(pair[1]), value > 0 { settings[String(pair[0])] = value }
        }
        return FaultInjection(unavailableEvery: settings["503every"], dropEvery: settings["dropevery"], dropBatchEvery: settings["dropbatchevery"])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, request.uri.path.hasSuffix("/$batch"), let every = dropBatchEvery {
            guard batches.next() % every == 0 else { return try await next(request, context) }
            // The whole batch runs; then the connection drops with its answer unsent.
            _ = try await BatchDispatcher.collect(try await next(request, context).body)
            var cut = Response(status: .ok)
            cut.body = ResponseBody(contentLength: 1000) { _ in throw CancellationError() }
            return cut
        }
        guard request.method == .get else { return try await next(request, context) }
        let count = counter.next()
        if let every = unavailableEvery, count % every == 0 {
            var error = GraphError(status: .serviceUnavailable, code: "serviceNotAvailable", message: "Injected fault: try again shortly.")
            error.headers = [("Retry-After", "1")]
            return GraphReply.error(error, requestID: "fault", clientRequestID: "fault")
        }
        let response = try await next(request, context)
        guard let every = dropEvery, count % every == 0 else { return response }
        let whole = try await BatchDispatcher.collect(response.body)
        var cut = response
        let half = ByteBuffer(bytes: whole.prefix(whole.count / 2))
        cut.body = ResponseBody(contentLength: whole.count) { writer in
            try await writer.write(half)
            throw CancellationError()
        }
        return cut
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1; return value
            }
        }
    }
}
