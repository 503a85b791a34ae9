import Crypto
import Foundation
import JWTKit

/// An app signing in as itself (specs/graph.md §8.2): `client_credentials` with either a signed
/// JWT client assertion (a certificate registered on the app, its private key here) or a
/// client secret. The token is cached per admin until five minutes before it ends.
public final class ClientCredentials: AccessTokenProvider, @unchecked Sendable {
    public enum Proof: Sendable {
        case certificate(ClientCertificate)
        case secret(String)
    }

    let identity: IdentityEndpoint
    let clientID: String
    let resource: String
    let proof: Proof
    let permissions: String
    let cache: TokenCache

    /// `resource`: the Graph origin the token is for (`https://graph.microsoft.com`).
    public init(identity: IdentityEndpoint, clientID: String, resource: String, proof: Proof, permissions: String, cache: TokenCache) {
        self.identity = identity
        self.clientID = clientID
        self.resource = resource
        self.proof = proof
        self.permissions = permissions
        self.cache = cache
    }

    public func token(renew: Bool) async throws(GraphClientError) -> String {
        if !renew, let cached = cache.load(), cached.isFresh { return cached.accessToken }
        var form = [("client_id", clientID), ("grant_type", "client_credentials"), ("scope", resource + "/.default")]
        switch proof {
        case .secret(let secret):
            form.append(("client_secret", secret))
        case .certificate(let certificate):
            form.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            form.append(("client_assertion", try await certificate.assertion(clientID: clientID, audience: identity.tokenURL)))
        }
        let token = try IdentityEndpoint.token(from: try await identity.post(identity.tokenURL, form: form), permissions: permissions)
        cache.save(token)
        return token.accessToken
    }
}

/// A certificate registered on an app and its private key (PEM files), and the client assertion
/// made with them: a JWT signed PS256, with the certificate's SHA-256 thumbprint (`x5t#S256`) as
/// Entra's current documentation has it.
public struct ClientCertificate: Sendable {
    let key: JWTKit.Insecure.RSA.PrivateKey
    /// base64url of the SHA-256 of the certificate's DER.
    let thumbprint: String

    /// Reads both files; a missing, unreadable or non-PEM file, or a key that is not the
    /// certificate's, is refused by name before anything is sent.
    public init(certificatePath: String, keyPath: String) throws(GraphClientError) {
        func read(_ path: String, _ flag: String) throws(GraphClientError) -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw .token("\(flag) \(path) can't be read") }
            return String(decoding: data, as: UTF8.self)
        }
        let certificatePEM = try read(certificatePath, "--certificate")
        let keyPEM = try read(keyPath, "--key")
        guard let der = Self.der(certificatePEM, label: "CERTIFICATE") else {
            throw .token("--certificate \(certificatePath) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let key: JWTKit.Insecure.RSA.PrivateKey
        let certificateKey: JWTKit.Insecure.RSA.PublicKey
        do { key = try JWTKit.Insecure.RSA.PrivateKey(pem: keyPEM) } catch {
            if keyPEM.contains("ENCRYPTED") {
                throw .token("--key \(keyPath) is encrypted; give the key unencrypted (openssl pkey -in KEY -out PLAIN.pem), kept 0600")
            }
            if keyPEM.contains("EC PRIVATE KEY") {
                throw .token("--key \(keyPath) is an EC key: the client assertion is signed with the app certificate's RSA key")
            }
            throw .token("--key \(keyPath) holds no RSA private key in PEM (unencrypted, PKCS#1 or PKCS#8)")
        }
        do { certificateKey = try JWTKit.Insecure.RSA.PublicKey(certificatePEM: certificatePEM) } catch {
            throw .token("--certificate \(certificatePath): its public key is not an RSA key this can use (\(error))")
        }
        guard (try? key.publicKey.getKeyPrimitives().modulus) == (try? certificateKey.getKeyPrimitives().modulus) else {
            throw .token("--key \(keyPath) is not the private key of --certificate \(certificatePath)")
        }
        self.key = key
        thumbprint = Self.base64URL(Data(SHA256.hash(data: der)))
    }

    struct AssertionClaims: JWTPayload {
        var aud: AudienceClaim
        var iss: IssuerClaim
        var sub: SubjectClaim
        var jti: IDClaim
        var nbf: NotBeforeClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
    }

    /// A fresh assertion for one token request: good for ten minutes from now.
    func assertion(clientID: String, audience: String) async throws(GraphClientError) -> String {
        let now = Date()
        let claims = AssertionClaims(
            aud: AudienceClaim(value: audience), iss: IssuerClaim(value: clientID), sub: SubjectClaim(value: clientID),
            jti: IDClaim(value: UUID().uuidString.lowercased()), nbf: NotBeforeClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(600)),
            iat: IssuedAtClaim(value: now))
        let keys = JWTKeyCollection()
        await keys.add(pss: key, digestAlgorithm: .sha256)
        var header = JWTHeader()
        header.alg = "PS256"
        header.typ = "JWT"
        header.x5tS256 = thumbprint
        do { return try await keys.sign(claims, header: header) } catch {
            throw .token("the client assertion could not be signed: \(error)")
        }
    }

    /// The DER bytes of the first PEM block with `label`.
    static func der(_ pem: String, label: String) -> Data? {
        guard let begin = pem.range(of: "-----BEGIN \(label)-----"), let end = pem.range(of: "-----END \(label)-----", range: begin.upperBound..<pem.endIndex)
        else { return nil }
        let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(base64))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
