import ArgumentParser
import Dispatch
import Foundation
import GraphEndpoint
import LicenseStore

/// `licensedesk serve`: the state over Microsoft Graph v1.0, for rehearsing licensing scripts.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the state as Microsoft Graph v1.0 (and /beta) for licensing scripts to run against.",
        discussion: """
            Every request needs `Authorization: Bearer <token>`. With --token-file FILE \
            ({"tokens": {"<token>": "<admin name>"}}) each token stands for an admin, who is \
            the actor in the audit log; without it, one token is made for you and printed. \
            Stops cleanly on SIGTERM or Ctrl-C.
            """)

    @OptionGroup var state: StateOptions

    @Option(help: ArgumentHelp("Address to listen on (port 0: any free port).", valueName: "host:port"))
    var listen = "127.0.0.1:8443"

    @Option(help: ArgumentHelp("Tokens and the admins they stand for.", valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "pem"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "pem"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Answer 429 with Retry-After past a budget per token, e.g. writes=5/10 (and reads=N/SECONDS).", valueName: "budget"))
    var throttle: String?

    func run() throws {
        let (host, port) = try Self.address(listen)
        _ = try state.loadOrSeed()
        let tokens: TokenBook
        var generated: String?
        if let tokenFile {
            tokens = try TokenBook.load(tokenFile)
        } else {
            let made = TokenBook.generated(for: ActorIdentity.current().name)
            tokens = made.book
            generated = made.token
        }
        let budget = try throttle.map(Throttle.parse)
        var tls: GraphTLS?
        switch (tlsCert, tlsKey) {
        case (nil, nil): break
        case (let certificate?, let key?):
            tls = try GraphTLS(certificateFile: certificate, keyFile: key)
            for warning in tls?.warnings ?? [] { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        default: throw ValidationError("--tls-cert and --tls-key go together: the certificate chain and its private key, both PEM")
        }
        let server = GraphServer(store: state.store, tokens: tokens, throttle: budget, tls: tls, host: host, port: port) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let token = generated
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await server.run { base in
                    var lines = ["Listening on \(base) (Graph v1.0 at \(base)/v1.0; Ctrl-C stops)"]
                    if let token {
                        lines.append("Token for \(ActorIdentity.current().name): \(token)")
                        lines.append("  curl -H 'Authorization: Bearer \(token)' '\(base)/v1.0/users?$top=5'")
                    }
                    // Straight to the descriptor: a script waiting for this line reads it now.
                    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                }
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }

    /// `host:port`, `[v6]:port` or a bare port.
    static func address(_ text: String) throws -> (String, Int) {
        var host = "127.0.0.1"
        var portText = text
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65_535).contains(port), !host.isEmpty else {
            throw ValidationError("--listen takes host:port, e.g. 127.0.0.1:8443 (port 0: any free port); got \(text)")
        }
        return (host, port)
    }
}

/// The error a server task ended with, handed back to the command's thread.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func set(_ error: Error) { lock.withLock { stored = error } }
    var error: Error? { lock.withLock { stored } }
}
