import Foundation
import NIOSSL

/// HTTPS for `serve --tls-cert PEM --tls-key PEM`: a certificate chain and its private key, read
/// once at start, checked to belong together before anything listens.
public struct GraphTLS: Sendable {
    let configuration: TLSConfiguration
    /// Said at start: a private key others on the host can read.
    public let warnings: [String]

    public init(certificateFile: String, keyFile: String) throws(GraphTLSError) {
        for file in [certificateFile, keyFile] where !FileManager.default.isReadableFile(atPath: file) {
            throw .unreadable(file, FileManager.default.fileExists(atPath: file) ? "can't be read by this user" : "does not exist")
        }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw .unreadable(certificateFile, "is not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw .unreadable(certificateFile, "holds no certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw .unreadable(keyFile, "is not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // A key that is not the certificate's is found here, not at the first client.
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw .unreadable(keyFile, "does not go with the certificate in \(certificateFile) (\(error))")
        }
        self.configuration = configuration
        var warnings: [String] = []
        if let attributes = try? FileManager.default.attributesOfItem(atPath: keyFile),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o077 != 0
        {
            warnings.append("warning: \(keyFile) can be read by others on this host (mode \(String(mode & 0o777, radix: 8))); chmod 600 it")
        }
        self.warnings = warnings
    }
}

public enum GraphTLSError: Error, CustomStringConvertible {
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "\(path) \(why)"
        }
    }
}
