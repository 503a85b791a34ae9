import Foundation
import TestSupport
import Testing

/// `serve --tls-cert --tls-key`: HTTPS as a script on another host reaches it, and the ways a
/// certificate and key go wrong, said before anything listens.
@Suite("Graph endpoint: HTTPS", .serialized)
struct GraphServeTLSTests {
    static let openssl = "/usr/bin/openssl"
    static let curl = "/usr/bin/curl"

    /// A self-signed certificate for 127.0.0.1 and its key, made by openssl.
    static func certificate(in directory: TemporaryDirectory, name: String) throws -> (cert: String, key: String) {
        let cert = directory.sibling("tls") + "/\(name).pem"
        let key = directory.sibling("tls") + "/\(name).key"
        let made = try BinaryRunner.runProgram(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key, "-out", cert,
            ])
        try #require(made.status == 0, "\(made.standardError)")
        chmod(key, 0o600)
        return (cert, key)
    }

    @Test(
        "with a certificate and key it answers HTTPS only (curl trusting that certificate reads users); a key that isn't the certificate's, a file that isn't PEM, one flag alone: refused at start, saying which file",
        .enabled(if: FileManager.default.isExecutableFile(atPath: openssl) && FileManager.default.isExecutableFile(atPath: curl)))
    func https() throws {
        let state = TemporaryDirectory()
        let (cert, key) = try Self.certificate(in: state, name: "serve")
        let server = try GraphTestServer(extra: ["--tls-cert", cert, "--tls-key", key])
        #expect(server.base.hasPrefix("https://127.0.0.1:"), "\(server.base)")
        let read = try BinaryRunner.runProgram(
            Self.curl, ["-sS", "--cacert", cert, "-H", "Authorization: Bearer \(server.token)", "\(server.base)/v1.0/users?$top=2&$select=id"])
        #expect(read.status == 0, "\(read.standardError)")
        let page = (try? JSONSerialization.jsonObject(with: Data(read.standardOutput.utf8))) as? [String: Any]
        #expect((page?["value"] as? [Any])?.count == 2, "\(read.standardOutput)")
        #expect((page?["@odata.nextLink"] as? String)?.hasPrefix("https://") == true, "links stay on HTTPS")
        // Plain HTTP to the HTTPS port gets no Graph answer.
        let plain = try BinaryRunner.runProgram(
            Self.curl, ["-sS", "--max-time", "5", server.base.replacingOccurrences(of: "https:", with: "http:") + "/v1.0/users"])
        #expect(!plain.standardOutput.contains("\"value\""))

        let otherKey = try Self.certificate(in: state, name: "other").key
        let directory = TemporaryDirectory()
        #expect(try BinaryRunner.run(["init", "--state", directory.path]).status == 0)
        func refused(_ arguments: [String]) throws -> String {
            let run = try BinaryRunner.run(["serve", "--state", directory.path, "--listen", "127.0.0.1:0"] + arguments)
            #expect(run.status != 0, "\(arguments): \(run.standardOutput)")
            #expect(!run.standardOutput.contains("Listening on"))
            return run.standardError
        }
        #expect(try refused(["--tls-cert", cert, "--tls-key", otherKey]).contains("does not go with the certificate"))
        #expect(try refused(["--tls-cert", directory.file("users.json"), "--tls-key", key]).contains("is not a PEM certificate"))
        #expect(try refused(["--tls-cert", cert, "--tls-key", cert]).contains("is not a PEM private key"))
        #expect(try refused(["--tls-cert", cert]).contains("--tls-cert and --tls-key go together"))
        #expect(try refused(["--tls-cert", "/nonexistent/cert.pem", "--tls-key", key]).contains("/nonexistent/cert.pem does not exist"))
    }

    @Test("a private key others can read is served, with a warning to chmod it", .enabled(if: FileManager.default.isExecutableFile(atPath: openssl)))
    func readableKeyWarns() throws {
        let state = TemporaryDirectory()
        let (cert, key) = try Self.certificate(in: state, name: "open")
        chmod(key, 0o644)
        let server = try GraphTestServer(extra: ["--tls-cert", cert, "--tls-key", key], mergingErrors: true)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !server.process.output.contains(where: { $0.contains("can be read by others") }) { usleep(100_000) }
        #expect(server.process.output.contains { $0.contains("can be read by others") && $0.contains("chmod 600") }, "\(server.process.output)")
    }
}
