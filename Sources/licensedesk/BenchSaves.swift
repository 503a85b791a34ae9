import ArgumentParser
import Foundation
import LicenseModel
import LicenseStore

/// Saves timed one by one while background compactions come and go and another admin reads
/// the state: every save counts, those that fall on a compaction's switch included.
///
/// The compactions are the real ones: the `compact --background` helper a save starts, in a
/// process of its own, reporting each run to a file. The reader is `bench-reader`, another
/// process holding the tenant as a console does and refreshing it every 10 ms.
struct SaveBench {
    var minimumSaves: Int
    var minimumCompactions: Int
    var compactEvery: Int
    var timeLimit: TimeInterval

    struct Figures: Encodable {
        var saves = 0
        var p50 = 0.0
        var p99 = 0.0
        var p999 = 0.0
        var max = 0.0
        var compactions: [CompactionRun] = []
        var readerRefreshes = 0
        var readerLongestWait = 0.0
        var readerP99 = 0.0
        /// Refreshes that had to load the tenant again (none, if compactions are followed).
        var readerReloads = 0
    }

    /// One compaction as its helper reported it (`compact --background --report`).
    struct CompactionRun: Codable {
        var sequence: Int
        var entries: Int
        var bytesWritten: Int
        var stagingSeconds: Double
        var switchSeconds: Double
        var lockWaitSeconds: Double
        /// Records written as a delta; nil: the whole snapshot.
        var deltaRecords: Int?
    }

    func run(store plain: StateStore, loaded: inout LoadedState, context: ChangeContext) throws -> Figures {
        guard let executable = ThisBinary.path else { throw ValidationError("can't find this binary to start compactions") }
        let reports = plain.directory + ".bench-compactions.jsonl"
        let readerReport = plain.directory + ".bench-reader.json"
        let stop = readerReport + ".stop"
        for path in [reports, readerReport, stop] { try? FileManager.default.removeItem(atPath: path) }
        defer { for path in [reports, readerReport, stop] { try? FileManager.default.removeItem(atPath: path) } }
        var store = plain
        store.compactionThreshold = compactEvery
        store.compactionTrigger = DetachedCompaction(executable: executable, extraArguments: ["--report", reports])

        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: executable)
        reader.arguments = ["bench-reader", "--state", store.directory, "--report", readerReport]
        try reader.run()
        // The reader has loaded once it says so (its report's first version).
        let started = Date()
        while !FileManager.default.fileExists(atPath: readerReport), Date().timeIntervalSince(started) < 600 { usleep(20_000) }

        var samples: [Double] = []
        var compactions = 0
        let clock = Date()
        var step = 0
        while samples.count < minimumSaves || compactions < minimumCompactions, Date().timeIntervalSince(clock) < timeLimit {
            let user = loaded.tenant.users[step % loaded.tenant.users.count]
            let change = TenantChange.setUserAttributes(userID: user.id, values: ["extensionAttribute7": "\(step)"])
            step += 1
            let start = DispatchTime.now().uptimeNanoseconds
            try store.commit(change, context: context, basedOn: loaded.basedOn(change), onto: &loaded)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            if step % 100 == 0 { compactions = Self.readRuns(reports).count }
        }
        // Let a compaction still running finish before the next phase, including one the last
        // saves started whose helper does not hold the lock yet: settled once none has run for
        // a second.
        var quiet = 0
        while quiet < 10, Date().timeIntervalSince(clock) < timeLimit + 600 {
            quiet = Compactor.isRunning(in: store) ? 0 : quiet + 1
            usleep(100_000)
        }
        FileManager.default.createFile(atPath: stop, contents: Data())
        reader.waitUntilExit()

        var figures = Figures()
        let timings = Timings(samples)
        figures.saves = samples.count
        figures.p50 = timings.percentile(0.5)
        figures.p99 = timings.percentile(0.99)
        figures.p999 = timings.percentile(0.999)
        figures.max = timings.longest
        figures.compactions = Self.readRuns(reports)
        if let data = FileManager.default.contents(atPath: readerReport),
            let waits = try? JSONDecoder().decode(BenchReaderCommand.Report.self, from: data)
        {
            figures.readerRefreshes = waits.refreshes
            figures.readerLongestWait = waits.longest
            figures.readerP99 = waits.p99
            figures.readerReloads = waits.reloads
        }
        return figures
    }

    static func readRuns(_ path: String) -> [CompactionRun] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONDecoder().decode(CompactionRun.self, from: Data($0)) }
    }
}

extension SaveBench.Figures {
    /// The rows `bench` prints.
    func rows(stateBytes: Int) -> [(String, String)] {
        let bytes = compactions.map(\.bytesWritten)
        let folded = compactions.map(\.entries).reduce(0, +)
        let perFiveHundred = folded > 0 ? Double(bytes.reduce(0, +)) * 500 / Double(folded) : 0
        return [
            (
                "save one change, across compactions",
                String(format: "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d saves)", p50 * 1e3, p99 * 1e3, p999 * 1e3, max * 1e3, saves)
            ),
            (
                "compactions meanwhile (background)",
                "\(compactions.count): "
                    + compactions.map {
                        String(
                            format: "%d changes, %@, %.1f MB, %.1f s staged, lock held %.1f ms (after waiting %.1f ms for it)", $0.entries,
                            $0.deltaRecords.map { "a delta of \($0) records" } ?? "whole", Double($0.bytesWritten) / 1e6, $0.stagingSeconds,
                            $0.switchSeconds * 1e3, $0.lockWaitSeconds * 1e3)
                    }
                    .joined(separator: "; ")
            ),
            (
                "bytes written per compaction",
                stateBytes > 0 && !bytes.isEmpty
                    ? String(
                        format: "%.1f MB on average (%.0f %% of the state); per 500 changes folded in, %.1f MB (%.1f %%)",
                        Double(bytes.reduce(0, +)) / Double(bytes.count) / 1e6, Double(bytes.reduce(0, +)) / Double(bytes.count) * 100 / Double(stateBytes),
                        perFiveHundred / 1e6, perFiveHundred * 100 / Double(stateBytes)) : "no compaction"
            ),
            (
                "a reader's refresh meanwhile",
                String(
                    format: "longest %.2f ms, p99 %.2f ms (%d refreshes, %d loads again)", readerLongestWait * 1e3, readerP99 * 1e3, readerRefreshes,
                    readerReloads)
            ),
        ]
    }
}

/// `licensedesk bench-reader`: another admin for `bench`, holding the tenant as a console does
/// and refreshing it every 10 ms until `<report>.stop` appears; then writes how long each
/// refresh took to `--report`. Hidden: only `bench` starts it.
struct BenchReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-reader", shouldDisplay: false)
    @OptionGroup var state: StateOptions
    @Option var report: String

    struct Report: Codable {
        var refreshes = 0
        var longest = 0.0
        var p99 = 0.0
        var reloads = 0
    }

    func run() throws {
        let store = state.store
        var loaded = try store.load()
        var result = Report()
        try write(result)
        var waits: [Double] = []
        while !FileManager.default.fileExists(atPath: report + ".stop") {
            let before = StateStore.wholeLoads
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try store.refresh(&loaded)
            waits.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            if StateStore.wholeLoads != before { result.reloads += 1 }
            usleep(10_000)
        }
        let timings = Timings(waits)
        result.refreshes = waits.count
        result.longest = timings.longest
        result.p99 = timings.percentile(0.99)
        try write(result)
    }

    private func write(_ result: Report) throws {
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: report), options: .atomic)
    }
}

extension SaveBench.Figures {
    /// Bytes per 500 changes with the whole rewrite the deltas lead to counted in: a delta
    /// compaction's bytes, plus the whole snapshot's (`wholeBytes`) spread over the delta
    /// compactions that fit in `deltaShare` of the tenant's `records` before it comes due.
    func amortizedRow(wholeBytes: Int, records: Int, deltaShare: Double, stateBytes: Int) -> (String, String) {
        let deltas = compactions.filter { $0.deltaRecords != nil }
        guard !deltas.isEmpty, wholeBytes > 0, stateBytes > 0 else { return ("bytes per 500 changes, the whole rewrite included", "not measured") }
        let count = Double(deltas.count)
        let recordsEach = Double(deltas.compactMap(\.deltaRecords).reduce(0, +)) / count
        let bytesEach = Double(deltas.map(\.bytesWritten).reduce(0, +)) / count
        let entriesEach = Double(deltas.map(\.entries).reduce(0, +)) / count
        let between = Swift.max(1, (deltaShare * Double(records) / Swift.max(recordsEach, 1)).rounded(.down))
        let perFiveHundred = (bytesEach + Double(wholeBytes) / between) * 500 / Swift.max(entriesEach, 1)
        return (
            "bytes per 500 changes, the whole rewrite included",
            String(
                format: "%.1f MB (%.2f %% of the state): deltas of %.0f records, %.1f MB each; a whole snapshot (%.1f MB) every %.0f of them",
                perFiveHundred / 1e6, perFiveHundred * 100 / Double(stateBytes), recordsEach, bytesEach / 1e6, Double(wholeBytes) / 1e6, between)
        )
    }
}
