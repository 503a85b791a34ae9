import Foundation
import Testing

@testable import LicenseStore

@Suite("The lock holder file, which teammates read")
struct LockHolderTests {
    @Test("a token command or a secret on the command line is hidden, in either spelling; the rest stays")
    func secretsHidden() {
        let arguments = [
            "licensedesk", "pull", "--state", "/srv/ld", "--token-command", "echo eyJ0eXAi.secret", "--token-command=printf x", "--client-secret", "s3cr3t",
            "--apply",
        ]
        let shown = LockHolder.redacted(arguments)
        #expect(shown == ["licensedesk", "pull", "--state", "/srv/ld", "--token-command", "…", "--token-command=…", "--client-secret", "…", "--apply"])
        #expect(!shown.joined(separator: " ").contains("secret") || !shown.contains { $0.contains("eyJ") })
    }
}
