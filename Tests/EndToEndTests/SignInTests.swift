import Foundation
import LicenseStore
import TestSupport
import Testing

/// `pull`'s ways to a token other than --token-command, against a stand-in identity platform
/// (GraphSDK/identity_platform.py, which checks client assertions with PyJWT) and `serve` as
/// the tenant: device code, client credentials with a certificate or a secret; tokens cached per
/// admin, 0600, never in the state.
@Suite("Sign-in: device code, certificate and secret credentials, the token cache", .serialized)
struct SignInTests {
    static let python = GraphServeTests.python
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GraphSDK/identity_platform.py").path
    static let clientID = "11111111-2222-4333-8444-555555555555"
    static let usable = FileManager.default.isExecutableFile(atPath: python) && FileManager.default.isExecutableFile(atPath: GraphServeTLSTests.openssl)

    /// The stand-in identity platform, issuing `token`; its log of requests.
    final class Identity {
        let process: RunningProcess
        let base: String
        let log: String

        init(token: String, certificate: String, in directory: TemporaryDirectory) throws {
            log = directory.sibling("identity") + "/requests.jsonl"
            let config = directory.sibling("identity") + "/config.json"
            let settings: [String: Any] = ["token": token, "client_id": SignInTests.clientID, "secret": "s3cret-value", "certificate": certificate, "log": log]
            try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
            process = try RunningProcess([SignInTests.script, config], binary: SignInTests.python)
            guard process.waitForLine(startingWith: "Listening on", timeout: 30) else { throw POSIXError(.ETIMEDOUT) }
            base = "http://127.0.0.1:" + String(process.output.first { $0.hasPrefix("Listening on") }!.split(separator: " ").last!)
        }
        deinit { process.kill() }

        /// Each request as the log has it: "tenant endpoint grant".
        var requests: [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return "\(entry["tenant"] ?? "") \(entry["endpoint"] ?? "") \(entry["grant_type"] as? String ?? "-")"
            }
        }
    }

    struct Setup {
        let server: GraphTestServer
        let identity: Identity
        let state: TemporaryDirectory
        let cache: TemporaryDirectory
        let certificate: (cert: String, key: String)

        init() throws {
            server = try GraphTestServer()
            state = TemporaryDirectory()
            cache = TemporaryDirectory()
            #expect(try BinaryRunner.run(["init", "--empty", "--state", state.path]).status == 0)
            certificate = try GraphServeTLSTests.certificate(in: state, name: "app")
            identity = try Identity(token: server.token, certificate: certificate.cert, in: state)
        }

        func pull(_ auth: [String], environment: [String: String] = [:]) throws -> BinaryRunner.Result {
            try BinaryRunner.run(
                ["pull", "--state", state.path, "--graph-url", server.base + "/v1.0", "--login-url", identity.base] + auth,
                environment: ["XDG_CACHE_HOME": cache.path].merging(environment) { $1 })
        }

        var cachedTokens: [String] {
            let folder = cache.path + "/licensedesk/tokens"
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.map { folder + "/" + $0 }
        }
    }

    static func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1 }

    @Test(
        "device code: the code is said, the platform polled through authorization_pending and slow_down; the token is cached 0600 in the admin's cache, and the next pull signs in without a code",
        .enabled(if: usable, "run `make test`: it installs the venv and openssl"))
    func deviceCode() throws {
        let setup = try Setup()
        let first = try setup.pull(["--device-code", "--tenant", "contoso.onmicrosoft.com", "--client-id", Self.clientID])
        #expect(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardError.contains("open https://microsoft.com/devicelogin and enter the code LDTEST42"), "\(first.standardError)")
        #expect(first.standardOutput.contains("Would import 44 users"), "\(first.standardOutput)")
        let grants = setup.identity.requests
        #expect(grants.filter { $0.hasSuffix("urn:ietf:params:oauth:grant-type:device_code") }.count == 3, "pending, slow_down, then the token: \(grants)")
        let cached = try #require(setup.cachedTokens.first)
        #expect(Self.mode(cached) == 0o600)
        #expect(Self.mode((cached as NSString).deletingLastPathComponent) == 0o700)
        // Nowhere in the shared state.
        let stateFiles = try FileManager.default.subpathsOfDirectory(atPath: setup.state.path)
        for file in stateFiles {
            let text = (try? String(contentsOfFile: setup.state.file(file), encoding: .utf8)) ?? ""
            #expect(!text.contains(setup.server.token), "\(file) holds the token")
        }

        let second = try setup.pull(["--device-code", "--tenant", "contoso.onmicrosoft.com", "--client-id", Self.clientID])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(!second.standardError.contains("enter the code"), "the cached token was used")
        #expect(setup.identity.requests.count == grants.count, "no new sign-in: \(setup.identity.requests)")

        // A cache file others may read is not used (and said so): a new sign-in instead.
        chmod(cached, 0o644)
        let exposed = try setup.pull(["--device-code", "--tenant", "contoso.onmicrosoft.com", "--client-id", Self.clientID])
        #expect(exposed.status == 0, "\(exposed.standardError)")
        #expect(exposed.standardError.contains("is not yours alone"), "\(exposed.standardError)")
        #expect(exposed.standardError.contains("enter the code"), "\(exposed.standardError)")

        // An identity platform that says to poll every 0 s is still polled at most once a second.
        let before = setup.identity.requests.count
        let hammered = try setup.pull(["--device-code", "--tenant", "hammer", "--client-id", Self.clientID])
        #expect(hammered.status == 2)
        #expect(hammered.standardError.contains("expires in 3 seconds") && hammered.standardError.contains("the code expired"), "\(hammered.standardError)")
        let polls = setup.identity.requests.count - before
        #expect(polls >= 2 && polls <= 5, "a poll a second for a 3-second code, not a flood: \(polls)")
    }

    @Test(
        "client credentials with a certificate: a signed assertion the platform verifies with the certificate; a key that is not the certificate's, a missing file: exit 2 before anything is sent",
        .enabled(if: usable, "run `make test`: it installs the venv and openssl"))
    func certificate() throws {
        let setup = try Setup()
        let auth = ["--tenant", "contoso.onmicrosoft.com", "--client-id", Self.clientID]
        let pulled = try setup.pull(auth + ["--certificate", setup.certificate.cert, "--key", setup.certificate.key])
        #expect(pulled.status == 0, "\(pulled.standardOutput)\n\(pulled.standardError)")
        #expect(setup.identity.requests == ["contoso.onmicrosoft.com oauth2/v2.0/token client_credentials"], "\(setup.identity.requests)")
        #expect(setup.cachedTokens.count == 1)

        let other = try GraphServeTLSTests.certificate(in: setup.cache, name: "other")
        let mismatched = try setup.pull(auth + ["--certificate", setup.certificate.cert, "--key", other.key])
        #expect(mismatched.status == 2)
        #expect(mismatched.standardError.contains("is not the private key of --certificate"), "\(mismatched.standardError)")
        // The platform refuses an assertion signed by a key its certificate does not know.
        let stranger = try setup.pull(
            ["--tenant", "fabrikam.onmicrosoft.com", "--client-id", Self.clientID, "--certificate", other.cert, "--key", other.key])
        #expect(stranger.status == 2, "\(stranger.standardError)")
        #expect(stranger.standardError.contains("AADSTS700027"), "\(stranger.standardError)")
        let missing = try setup.pull(auth + ["--certificate", "/nonexistent/app.pem", "--key", setup.certificate.key])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("--certificate /nonexistent/app.pem can't be read"), "\(missing.standardError)")
    }

    @Test(
        "client credentials with a secret from an environment variable; a wrong secret and missing consent are refused with what to do; one way to a token at a time",
        .enabled(if: usable, "run `make test`: it installs the venv and openssl"))
    func secret() throws {
        let setup = try Setup()
        let auth = ["--tenant", "contoso.onmicrosoft.com", "--client-id", Self.clientID, "--client-secret-env", "APP_SECRET"]
        let pulled = try setup.pull(auth, environment: ["APP_SECRET": "s3cret-value"])
        #expect(pulled.status == 0, "\(pulled.standardError)")
        let wrong = try setup.pull(
            ["--tenant", "fabrikam.onmicrosoft.com", "--client-id", Self.clientID, "--client-secret-env", "APP_SECRET"], environment: ["APP_SECRET": "nope"])
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("the sign-in was refused (invalid_client): AADSTS7000215"), "\(wrong.standardError)")
        #expect(!wrong.standardError.contains("nope"), "the secret is never echoed")
        let consent = try setup.pull(
            ["--tenant", "noconsent", "--client-id", Self.clientID, "--client-secret-env", "APP_SECRET"], environment: ["APP_SECRET": "s3cret-value"])
        #expect(consent.status == 2)
        #expect(consent.standardError.contains("User.Read.All, GroupMember.Read.All, Organization.Read.All"), "\(consent.standardError)")
        let unset = try setup.pull(auth)
        #expect(unset.status == 2 && unset.standardError.contains("APP_SECRET: that environment variable is empty or unset"), "\(unset.standardError)")
        let both = try setup.pull(auth + ["--token-command", "echo x"], environment: ["APP_SECRET": "s3cret-value"])
        #expect(both.status == 2 && both.standardError.contains("give one way to get a token"), "\(both.standardError)")
        let hostileToken = try setup.pull(
            ["--tenant", "badtoken", "--client-id", Self.clientID, "--client-secret-env", "APP_SECRET"], environment: ["APP_SECRET": "s3cret-value"])
        #expect(hostileToken.status == 2)
        #expect(hostileToken.standardError.contains("characters a token can't have"), "\(hostileToken.standardError)")
        #expect(!hostileToken.standardError.contains("X-Evil"), "the token is never echoed: \(hostileToken.standardError)")
        let plain = try BinaryRunner.run([
            "pull", "--state", setup.state.path, "--graph-url", setup.server.base + "/v1.0", "--login-url", "http://login.example.com",
            "--device-code",
        ])
        #expect(plain.status == 2 && plain.standardError.contains("--login-url must be https"), "\(plain.standardError)")
    }
}
