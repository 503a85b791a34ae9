// swift-tools-version: 6.0
// The module graph of DESIGN.md: the compiler enforces who may import whom.
import PackageDescription

let package = Package(
    name: "LicenseDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "licensedesk", targets: ["licensedesk"]),
        // For the libFuzzer harnesses in Tests/Fuzz only.
        .library(name: "LicenseDeskFuzzing", targets: ["LicenseDeskFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP server under `licensedesk serve` (SwiftNIO underneath).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own dependencies, named because GraphEndpoint imports them.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        // The HTTP client under `licensedesk pull` (URLSession needs libcurl, which the static
        // install binary can't link).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Client credentials with a certificate: the signed JWT client assertion Entra wants
        // (RS256 with the certificate's thumbprint), and the certificate read as X.509.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        // jwt-kit's own: the certificate's SHA-256 thumbprint for the assertion's header.
        .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"5.0.0"),
    ],
    targets: [
        // The rule language: imports nothing of ours. Its evaluator is generic over the subject
        // (`RuleSubject`); cross-module optimization lets LicenseModel specialise it for
        // `RuleView` instead of calling it unspecialised, through witness tables, per user.
        .target(name: "MembershipRules", swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]),
        // Users, groups, SKUs, the licence engine and every change to a tenant.
        .target(name: "LicenseModel", dependencies: ["MembershipRules"]),
        // JSON state on disk behind one seam.
        .target(name: "LicenseStore", dependencies: ["LicenseModel"]),
        // Real tenants in and out: Graph JSON, CSV and LDIF imports; Graph, $batch, PowerShell
        // and CSV exports.
        .target(name: "Interchange", dependencies: ["LicenseModel", "LicenseStore", "MembershipRules"]),
        // `licensedesk serve`: the Microsoft Graph v1.0 surface over the model.
        .target(
            name: "GraphEndpoint",
            dependencies: [
                "LicenseModel", "LicenseStore", "Interchange", "MembershipRules", .product(name: "Hummingbird", package: "hummingbird"),
                // --tls-cert/--tls-key: HTTPS through swift-nio-ssl (BoringSSL, no system OpenSSL).
                .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        // A live tenant: authentication, paging, retries with Retry-After, `pull`.
        .target(
            name: "GraphClient",
            dependencies: [
                "LicenseModel", "LicenseStore", "Interchange", "MembershipRules", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Terminal abstraction, frames, widgets, themes: no ncurses.
        .target(name: "TerminalKit"),
        // ncursesw as a system library, with a shim of static inline wrappers.
        .systemLibrary(
            name: "CNCurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The only code that calls ncurses.
        .target(name: "CursesTerminal", dependencies: ["TerminalKit", "CNCurses"]),
        // Panes, bindings, presentation and the event loop.
        .target(name: "Console", dependencies: ["LicenseModel", "LicenseStore", "TerminalKit", "MembershipRules"]),
        .executableTarget(
            name: "licensedesk",
            dependencies: [
                "MembershipRules", "LicenseModel", "LicenseStore", "Interchange", "TerminalKit", "CursesTerminal",
                "Console", "GraphEndpoint", "GraphClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildCommit"]
        ),
        // Writes the git commit being built into the binary, for `licensedesk --version`.
        .plugin(name: "BuildCommit", capability: .buildTool(), path: "Sources/BuildCommit"),
        // The properties the fuzzers check, shared with the test suite.
        .target(
            name: "LicenseDeskFuzzing", dependencies: ["MembershipRules", "LicenseModel", "LicenseStore", "Interchange", "TerminalKit"]),
        // Fake terminal, tenant builders, process helpers for tests.
        .target(
            name: "TestSupport",
            dependencies: ["LicenseModel", "LicenseStore", "TerminalKit", "Console"]
        ),
        .testTarget(name: "MembershipRulesTests", dependencies: ["MembershipRules"]),
        .testTarget(name: "LicenseModelTests", dependencies: ["LicenseModel", "TestSupport"]),
        .testTarget(name: "LicenseStoreTests", dependencies: ["LicenseStore", "TestSupport", "LicenseDeskFuzzing"]),
        .testTarget(name: "TerminalKitTests", dependencies: ["TerminalKit", "TestSupport", "LicenseDeskFuzzing"]),
        .testTarget(name: "CursesTerminalTests", dependencies: ["CursesTerminal", "TerminalKit"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "TestSupport"], exclude: ["Fixtures", "Screens"]),
        .testTarget(name: "GraphEndpointTests", dependencies: ["GraphEndpoint", "LicenseModel", "MembershipRules", "TestSupport"]),
        .testTarget(name: "GraphClientTests", dependencies: ["GraphClient"], exclude: ["Fixtures"]),
        .testTarget(name: "InterchangeTests", dependencies: ["Interchange", "MembershipRules", "Console", "TestSupport"]),
        // Attacks on the state (damaged files, links, hostile input, hangs), each through the real
        // binary or the store, asserting the safe outcome.
        .testTarget(
            name: "TrustTests",
            dependencies: ["licensedesk", "LicenseModel", "LicenseStore", "MembershipRules", "Interchange", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["licensedesk", "Console", "TestSupport"], exclude: ["GraphSDK", "GraphExamples"]),
    ]
)
