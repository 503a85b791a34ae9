import Foundation

/// The rules for where secrets may go and what a token may be, shared by every sign-in and by
/// `--graph-url`: a URL a token or secret travels to is https, except on this machine's
/// loopback (a test's endpoint); a token is what an HTTP header can carry.
public enum SecretCarriers {
    static let loopback: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    /// Whether a URL with `scheme` and `host` may carry a token or secret.
    public static func mayCarrySecrets(scheme: String, host: String) -> Bool {
        scheme.lowercased() == "https" || (scheme.lowercased() == "http" && loopback.contains(host.lowercased()))
    }

    /// Printable ASCII without spaces: what a bearer token in a header can be. A token that
    /// is not is refused, and never echoed (it is a secret, whatever is wrong with it).
    static func isHeaderSafe(_ token: String) -> Bool {
        !token.isEmpty && token.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }
}
