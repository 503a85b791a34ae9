import Foundation
import Hummingbird
import HummingbirdTLS
import LicenseStore
import Logging
import NIOCore

/// `licensedesk serve`: the Graph v1.0 surface over a state directory, on Hummingbird.
public struct GraphServer: Sendable {
    let store: StateStore
    let tokens: TokenBook
    let throttle: Throttle?
    let host: String
    let port: Int
    let tls: GraphTLS?
    let log: @Sendable (String) -> Void

    public init(
        store: StateStore, tokens: TokenBook, throttle: Throttle? = nil, tls: GraphTLS? = nil, host: String, port: Int,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.tokens = tokens
        self.throttle = throttle
        self.tls = tls
        self.host = host
        self.port = port
        self.log = log
    }

    /// Serves until the process is told to stop (SIGTERM or SIGINT: the request in flight is
    /// finished first). `ready` gets the address actually listened on (port 0 picks one).
    public func run(ready: @escaping @Sendable (String) -> Void) async throws {
        let holder = try StateHolder(store: store)
        let router = Router()
        router.add(middleware: GraphFallback())
        if let faults = FaultInjection<BasicRequestContext>.fromEnvironment() { router.add(middleware: faults) }
        let address = BaseAddress()
        let dispatcher = BatchDispatcher()
        GraphRoutes(state: holder, tokens: tokens, throttle: throttle, dispatcher: dispatcher, address: address, log: log).register(on: router)
        let responder = UniqueNameAddressing(router: router.buildResponder(), state: holder)
        dispatcher.set(responder)
        var logger = Logger(label: "licensedesk.serve")
        logger.logLevel = .warning
        let host = self.host
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            responder: responder,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: "LicenseDesk"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let base = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                address.set(base)
                ready(base)
            },
            logger: logger)
        try await app.runService()
    }
}

/// The address the server listens on, known once it runs.
final class BaseAddress: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func set(_ base: String) { lock.withLock { value = base } }
    var base: String { lock.withLock { value } }
}
