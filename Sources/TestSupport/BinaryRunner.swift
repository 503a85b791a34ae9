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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LICENSEDESK_STATE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
