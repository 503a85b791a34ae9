// swift-tools-version: 6.0
// libFuzzer harnesses, kept out of the main package because `-parse-as-library` applies to
// every target a build touches. Build and run: Tests/Fuzz/run.sh (see the README there).
import PackageDescription

let package = Package(
    name: "LicenseDeskFuzz",
    dependencies: [.package(name: "LicenseDesk", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzRules", dependencies: [.product(name: "LicenseDeskFuzzing", package: "LicenseDesk")]),
        .executableTarget(name: "FuzzJournal", dependencies: [.product(name: "LicenseDeskFuzzing", package: "LicenseDesk")]),
        .executableTarget(name: "FuzzSanitizer", dependencies: [.product(name: "LicenseDeskFuzzing", package: "LicenseDesk")]),
        .executableTarget(name: "FuzzJSON", dependencies: [.product(name: "LicenseDeskFuzzing", package: "LicenseDesk")]),
        .executableTarget(name: "FuzzImports", dependencies: [.product(name: "LicenseDeskFuzzing", package: "LicenseDesk")]),
    ]
)
