import ArgumentParser
import Foundation
import LicenseStore

/// `licensedesk bench-load --state DIR`: loads the state from its JSON files alone (the cache
/// is not read), three times, and prints the best time in seconds: what `scripts/bench-json-load`
/// sets beside orjson reading the same files. Hidden: a measuring tool, not an admin's command.
struct BenchLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-load", shouldDisplay: false)
    @OptionGroup var state: StateOptions
    @Option(help: "Loads timed; the best is printed.") var repeats = 3

    func run() throws {
        var store = state.store
        store.readsCache = false
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            let loaded = try store.load()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            withExtendedLifetime(loaded) {}  // freed after the clock stops
        }
        print(String(format: "%.3f", best))
    }
}
