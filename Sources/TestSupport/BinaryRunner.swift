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
