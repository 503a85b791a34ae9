import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a connection's access tokens come from: a command, a device-code sign-in, or an app's
/// client credentials. `renew`: the tenant refused the last one (401), so not a cached one.
public protocol AccessTokenProvider: Sendable {
    func token(renew: Bool) async throws(GraphClientError) -> String
}

/// `--token-command CMD` runs the command (through `/bin/sh -c`) and takes what it prints, e.g.
/// `az account get-access-token --resource-type ms-graph --query accessToken -o tsv`; it is run
/// again when the tenant says the token expired (401). The command keeps its own cache.
public struct TokenSource: AccessTokenProvider {
    let command: String

    /// Seconds the command may take (a sign-in it starts included).
    let timeout: Double

    public init(command: String, timeout: Double = 120) {
        self.command = command
        self.timeout = timeout
    }

    public func token(renew: Bool) async throws(GraphClientError) -> String { try token() }

    /// A fresh token. Never logged, never written to the state.
    func token() throws(GraphClientError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { throw .token("--token-command could not be started: \(error)") }
        // Both pipes are read while the command runs (one that fills would stall it), and a
        // command that waits for ever (a prompt nobody answers) is stopped.
        let streams = Streams()
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) { streams.printed = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: readers) { streams.complaint = errors.fileHandleForReading.readDataToEndOfFile() }
        guard exited.wait(timeout: .now() + timeout) == .success else {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
            throw .token("--token-command did not finish within \(Int(timeout)) s and was stopped")
        }
        _ = readers.wait(timeout: .now() + 5)
        let printed = streams.printed
        let complaint = String(decoding: streams.complaint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw .token("--token-command exited with \(process.terminationStatus)\(complaint.isEmpty ? "" : ": " + complaint.prefix(300))")
        }
        let token = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw .token("--token-command printed \(token.isEmpty ? "nothing" : "more than one word"); it must print the access token alone")
        }
        // What a header can carry; never echoed (it is a secret, whatever is wrong with it).
        guard SecretCarriers.isHeaderSafe(token) else {
            throw .token("--token-command printed characters an access token can't have (control or non-ASCII characters)")
        }
        return token
    }
}

/// What a token command wrote, read on two threads.
private final class Streams: @unchecked Sendable {
    var printed = Data()
    var complaint = Data()
}
