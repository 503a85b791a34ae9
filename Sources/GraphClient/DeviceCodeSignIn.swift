import Foundation

/// `--device-code`: the admin signs in on another device (specs/graph.md §8.1). The code and the
/// address are said; the token endpoint is polled at the interval Entra gives (five seconds more
/// on `slow_down`) until the admin has signed in, declined, or the code expired. The token and
/// its refresh token are cached per admin, so the next run signs in only when the refresh
/// token no longer works.
public final class DeviceCodeSignIn: AccessTokenProvider, @unchecked Sendable {
    let identity: IdentityEndpoint
    let clientID: String
    let scopes: String
    let permissions: String
    let cache: TokenCache
    /// Where the sign-in instructions go (standard error).
    let say: @Sendable (String) -> Void
    /// How long to wait; tests make it short.
    var sleep: @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    private let lock = NSLock()

    public init(
        identity: IdentityEndpoint, clientID: String, scopes: String, permissions: String, cache: TokenCache, say: @escaping @Sendable (String) -> Void
    ) {
        self.identity = identity
        self.clientID = clientID
        self.scopes = scopes
        self.permissions = permissions
        self.cache = cache
        self.say = say
    }

    public func token(renew: Bool) async throws(GraphClientError) -> String {
        let cached = cache.load()
        if !renew, let cached, cached.isFresh { return cached.accessToken }
        if let refresh = cached?.refreshToken, let token = try? await refreshed(refresh) { return token }
        return try await signIn()
    }

    private func refreshed(_ refreshToken: String) async throws(GraphClientError) -> String {
        let answer = try await identity.post(
            identity.tokenURL,
            form: [("client_id", clientID), ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("scope", scopes)])
        var token = try IdentityEndpoint.token(from: answer, permissions: permissions)
        if token.refreshToken == nil { token.refreshToken = refreshToken }
        cache.save(token)
        return token.accessToken
    }

    private func signIn() async throws(GraphClientError) -> String {
        let start = try await identity.post(identity.deviceCodeURL, form: [("client_id", clientID), ("scope", scopes)])
        guard start.status == 200, let deviceCode = start.json["device_code"] as? String, let userCode = start.json["user_code"] as? String,
            let address = start.json["verification_uri"] as? String
        else { throw IdentityEndpoint.refusal(start, permissions: permissions) }
        // At least a second between polls, whatever the answer says (RFC 8628's default is 5 s;
        // a broken or hostile endpoint must not be polled in a loop), and an hour at most in all.
        var interval = max(1, Double(start.json["interval"] as? Int ?? 5))
        let lifetime = min(3600, max(1, Double(start.json["expires_in"] as? Int ?? 900)))
        let left = lifetime >= 120 ? "\(Int(lifetime / 60)) minutes" : "\(Int(lifetime)) seconds"
        say("To sign in, open \(address) and enter the code \(userCode) (it expires in \(left)).")
        let deadline = Date().addingTimeInterval(lifetime)
        while Date() < deadline {
            await sleep(interval)
            let answer = try await identity.post(
                identity.tokenURL,
                form: [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", clientID), ("device_code", deviceCode)])
            switch answer.error {
            case "authorization_pending": continue
            // RFC 8628: not in Entra's table, handled anyway.
            case "slow_down": interval += 5
            case "authorization_declined": throw .token("the sign-in was declined on the other device")
            case "expired_token": throw .token("the code expired before the sign-in finished; run the command again")
            case "bad_verification_code": throw .token("the identity platform did not know the device code it gave")
            default:
                let token = try IdentityEndpoint.token(from: answer, permissions: permissions)
                cache.save(token)
                say("Signed in.")
                return token.accessToken
            }
        }
        throw .token("the code expired before the sign-in finished; run the command again")
    }
}
