import Foundation

/// Runs the built `licensedesk` binary, as scripts do, and captures what it prints.
public struct BinaryRunner {
    public struct Result {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// The binary beside the test bundle in the build folder.
    public static var binaryPath: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("licensedesk").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/licensedesk"
    }

    public static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try runProgram(binaryPath, arguments, input: input, environment: environment)
    }

    /// Runs any program (e.g. setpriv wrapping the binary) the same way.
    public static func runProgram(
        _ program: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["LICENSEDESK_STATE"] = nil
        for (key, value) in environment { env[key] = value }
        let output = try Spawn.run(program, arguments, input: input.map { Data($0.utf8) }, environment: env)
        return Result(
            status: output.status, standardOutput: String(decoding: output.standardOutput, as: UTF8.self),
            standardError: String(decoding: output.standardError, as: UTF8.self))
    }
}

extension BinaryRunner {
    /// Copies the built binary to `path` (mode 0755) for tests that run it as another user.
    /// The copy is written through a close-on-exec descriptor: a process that other tests spawn
    /// meanwhile would otherwise inherit the open file, and executing the copy would fail with
    /// "Text file busy" until that process exits.
    public static func copyBinary(to path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: binaryPath))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        fchmod(fd, 0o755)
    }
}
