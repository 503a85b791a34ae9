import ArgumentParser
import Foundation
import LicenseStore

/// Python's orjson parsing the same JSON files the JSON-only load just read, in the same run:
/// the peer the load is measured against (`bench --orjson PYTHON`; `scripts/bench-json-load`
/// makes a Python with orjson). Each file is read and parsed, timed, then freed before the
/// next, so that a million-user tenant's parse fits in memory; the seconds are the sum.
enum OrjsonPeer {
    static let script = """
        import gc, sys, time, orjson
        gc.disable()  # orjson at its fastest: no collector passes over the objects it builds
        total = 0.0
        for path in sys.argv[1:]:
            start = time.perf_counter()
            parsed = orjson.loads(open(path, "rb").read())
            total += time.perf_counter() - start
            del parsed
        print(f"{total:.3f}")
        """

    /// The tenant's JSON files in `directory`: the snapshot and any deltas over it.
    static func files(in directory: String) -> [String] {
        let deltas = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".delta-") && $0.hasSuffix(".json") }
        return (StateFileName.all + deltas.sorted()).map { directory + "/" + $0 }
    }

    /// orjson's seconds over `files`, or an error saying why it could not be measured.
    static func seconds(python: String, files: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + files
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let seconds = Double(text) else {
            throw ValidationError(
                "--orjson \(python) did not time the files (exit \(process.terminationStatus)): "
                    + String(decoding: complaint.suffix(400), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return seconds
    }
}
