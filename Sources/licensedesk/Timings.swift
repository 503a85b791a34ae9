import Foundation

/// Timed samples, sorted once, for every percentile `bench` and its helpers print.
struct Timings {
    let sorted: [Double]
    init(_ samples: [Double]) { sorted = samples.sorted() }

    /// The sample nearest `fraction` of the way from the fastest to the slowest; 0 for none.
    func percentile(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
    }

    var longest: Double { sorted.last ?? 0 }
}
