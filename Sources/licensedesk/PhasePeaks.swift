import Foundation

/// Peak resident memory per bench phase. Linux keeps one high-water mark per process
/// (`VmHWM`); writing 5 to `/proc/self/clear_refs` resets it, so each phase's peak is read and
/// the mark reset before the next. The whole run's peak is the largest of them (the reset also
/// lowers `getrusage`'s figure, which would otherwise be the run's peak).
struct PhasePeaks {
    private(set) var phases: [(name: String, megabytes: Double)] = []
    /// Whether the kernel let the mark be reset; if not, each figure is the peak so far.
    private(set) var resettable = true
    /// The phase of the JSON-only load, reported apart.
    static let jsonLoad = "load from the JSON files"

    init() { reset() }

    /// Records the peak since the previous phase ended, under `name`, and starts the next.
    mutating func end(_ name: String) {
        phases.append((name, Self.highWaterMegabytes() ?? Self.maxResidentMegabytes()))
        reset()
    }

    var overall: Double { phases.map(\.megabytes).max() ?? Self.maxResidentMegabytes() }

    private mutating func reset() {
        // Ignored where /proc is not writable; the figures are then peaks so far.
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        defer { if descriptor >= 0 { close(descriptor) } }
        resettable = resettable && descriptor >= 0 && write(descriptor, "5", 1) == 1
    }

    static func highWaterMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

    static func maxResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
