import ArgumentParser
import Foundation
import GraphClient
import TerminalKit

/// How `pull` and `push` get their access tokens: exactly one of `--token-command CMD`,
/// `--device-code [--tenant T --client-id ID]`, or `--tenant T --client-id ID` with
/// `--certificate PEM --key PEM` or `--client-secret-env VAR`. Tokens the sign-ins get are
/// cached per admin in `$XDG_CACHE_HOME/licensedesk/tokens` (0600), never in the state.
struct GraphAuthOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A command that prints an access token, e.g. az account get-access-token --resource-type ms-graph --query accessToken -o tsv.", valueName: "cmd"))
    var tokenCommand: String?

    @Flag(help: "Sign in as yourself on another device with a code (delegated permissions).") var deviceCode = false

    @Option(help: ArgumentHelp("The tenant: its id or a domain (device code: default organizations).", valueName: "tenant"))
    var tenant: String?

    @Option(
        help: ArgumentHelp(
            "The app (client) id. Device code defaults to Microsoft Graph Command Line Tools (14d82eec-204b-4c2f-b7e8-296a70dab67e).", valueName: "id"))
    var clientID: String?

    @Option(help: ArgumentHelp("The app's certificate (PEM) for a signed client assertion; with --key.", valueName: "pem"))
    var certificate: String?

    @Option(help: ArgumentHelp("The certificate's RSA private key (PEM).", valueName: "pem")) var key: String?

    @Option(help: ArgumentHelp("The environment variable that holds the app's client secret.", valueName: "var"))
    var clientSecretEnv: String?

    @Option(
        help: ArgumentHelp("The identity platform (a national cloud's, e.g. https://login.microsoftonline.us).", valueName: "url"))
    var loginURL = "https://login.microsoftonline.com"

    /// Microsoft's own public client for Graph scripts (what Connect-MgGraph signs in with).
    static let graphCommandLineTools = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

    func validate() throws {
        let credentials = certificate != nil || key != nil || clientSecretEnv != nil
        let ways = [tokenCommand != nil, deviceCode, credentials].filter { $0 }.count
        guard ways == 1 else {
            throw ValidationError(
                ways == 0
                    ? "say how to get a token: --token-command CMD, --device-code, or --tenant T --client-id ID with --certificate PEM --key PEM or --client-secret-env VAR"
                    : "give one way to get a token: --token-command, --device-code, or client credentials")
        }
        if credentials {
            guard tenant != nil, clientID != nil else { throw ValidationError("client credentials need --tenant and --client-id") }
            guard (certificate != nil) == (key != nil) else { throw ValidationError("--certificate and --key go together") }
            guard (certificate != nil) != (clientSecretEnv != nil) else {
                throw ValidationError("give either --certificate with --key, or --client-secret-env, not both")
            }
            if let variable = clientSecretEnv, (ProcessInfo.processInfo.environment[variable] ?? "").isEmpty {
                throw ValidationError("--client-secret-env \(variable): that environment variable is empty or unset")
            }
        } else if tokenCommand != nil, tenant != nil || clientID != nil {
            throw ValidationError("--tenant and --client-id are for --device-code and client credentials, not --token-command")
        }
    }

    /// The provider these options name, for a connection to `graphURL`. `permissions`: what
    /// the command needs, named when consent is missing; `scopes`: the delegated ones a device
    /// code sign-in with Microsoft's own client asks for.
    func provider(graphURL: String, permissions: [String], scopes: [String]) throws -> any AccessTokenProvider {
        let made = Result { () throws(GraphClientError) -> any AccessTokenProvider in try signIn(graphURL: graphURL, permissions: permissions, scopes: scopes) }
        switch made {
        case .success(let provider): return provider
        case .failure(let error):
            FileHandle.standardError.write(Data("error: \(TextSanitizer.inert(error.description))\n".utf8))
            throw ExitCode(2)
        }
    }

    private func signIn(graphURL: String, permissions: [String], scopes: [String]) throws(GraphClientError) -> any AccessTokenProvider {
        if let tokenCommand { return TokenSource(command: tokenCommand) }
        let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data((TextSanitizer.inert($0) + "\n").utf8)) }
        let resource = Self.resource(of: graphURL)
        let needed = permissions.joined(separator: ", ")
        if deviceCode {
            let identity = try IdentityEndpoint(authority: loginURL, tenant: tenant ?? "organizations")
            let client = clientID ?? Self.graphCommandLineTools
            // Microsoft's client asks for the scopes by name; an app of the admin's own gets
            // what was consented to it (.default).
            let asked = clientID == nil ? scopes.map { resource + "/" + $0 } : [resource + "/.default"]
            let scope = (asked + ["offline_access"]).joined(separator: " ")
            let cache = TokenCache(key: ["device", identity.authority, identity.tenant, client, scope].joined(separator: "|"), warn: say)
            return DeviceCodeSignIn(identity: identity, clientID: client, scopes: scope, permissions: needed, cache: cache, say: say)
        }
        let identity = try IdentityEndpoint(authority: loginURL, tenant: tenant ?? "")
        let client = clientID ?? ""
        let proof: ClientCredentials.Proof
        if let certificate, let key {
            proof = .certificate(try ClientCertificate(certificatePath: certificate, keyPath: key))
        } else {
            proof = .secret(ProcessInfo.processInfo.environment[clientSecretEnv ?? ""] ?? "")
        }
        let kind = certificate != nil ? "certificate" : "secret"
        let cache = TokenCache(key: ["app", kind, identity.authority, identity.tenant, client, resource].joined(separator: "|"), warn: say)
        return ClientCredentials(identity: identity, clientID: client, resource: resource, proof: proof, permissions: needed, cache: cache)
    }

    /// The origin a token is for: `https://graph.microsoft.com` for `…/v1.0`.
    static func resource(of graphURL: String) -> String {
        guard let url = URLComponents(string: graphURL), let scheme = url.scheme, let host = url.host else { return graphURL }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
    }
}

/// What `--graph-url` may be: the token goes there with every request.
enum GraphEndpointAddress {
    /// Why `text` is not a Graph endpoint to send a token to, or nil.
    static func problem(_ text: String) -> String? {
        let example = "such as https://graph.microsoft.com/v1.0"
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host?.lowercased(), !host.isEmpty
        else { return "--graph-url takes an http(s) URL \(example); got \(TextSanitizer.inert(text))" }
        guard url.user == nil, url.password == nil else {
            return "--graph-url must not carry a user or password (the access token is the credential)"
        }
        guard url.query == nil, url.fragment == nil else { return "--graph-url is the version root \(example), without ?query or #fragment" }
        guard SecretCarriers.mayCarrySecrets(scheme: scheme, host: host) else {
            return "--graph-url must be https (the access token travels with every request); http is taken only on this machine's loopback"
        }
        return nil
    }
}
