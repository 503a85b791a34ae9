import Foundation

/// `--throttle writes=N/SECONDS[,reads=N/SECONDS]`: a budget per token, counted over a sliding
/// window, past which requests are answered 429 with `Retry-After`, as Graph throttles — so a
/// script's retry logic can be rehearsed. Writes are POST, PATCH, PUT and DELETE.
public final class Throttle: @unchecked Sendable {
    public struct Budget: Equatable, Sendable {
        public var requests: Int
        public var seconds: Double
    }

    let writes: Budget?
    let reads: Budget?
    private let lock = NSLock()
    private var seen: [String: [Date]] = [:]

    public init(writes: Budget?, reads: Budget?) {
        self.writes = writes
        self.reads = reads
    }

    /// `writes=5/10,reads=100/10`; says what is wrong otherwise.
    public static func parse(_ text: String) throws -> Throttle {
        var writes: Budget?
        var reads: Budget?
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = pieces.count == 2 ? pieces[1].split(separator: "/").map(String.init) : []
            guard pieces.count == 2, numbers.count == 2, let count = Int(numbers[0]), count > 0, let seconds = Double(numbers[1]), seconds > 0 else {
                throw GraphSetupError("--throttle takes writes=N/SECONDS and reads=N/SECONDS, e.g. writes=5/10; got \(part)")
            }
            switch pieces[0].lowercased() {
            case "writes": writes = Budget(requests: count, seconds: seconds)
            case "reads": reads = Budget(requests: count, seconds: seconds)
            default: throw GraphSetupError("--throttle knows writes and reads, not \(pieces[0])")
            }
        }
        return Throttle(writes: writes, reads: reads)
    }

    /// nil when the request may go; else the seconds to wait (`Retry-After`).
    func admit(token: String, write: Bool, now: Date = Date()) -> Int? {
        guard let budget = write ? writes : reads else { return nil }
        // Per token, however the header spells "Bearer" and its spaces.
        let key = (write ? "w:" : "r:") + Self.token(in: token)
        return lock.withLock {
            var times = (seen[key] ?? []).filter { now.timeIntervalSince($0) < budget.seconds }
            defer { seen[key] = times }
            guard times.count >= budget.requests, let oldest = times.first else {
                times.append(now)
                return nil
            }
            return max(1, Int((budget.seconds - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// The token of an `Authorization` header, without the scheme and spaces around it.
    static func token(in header: String) -> String {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bearer") else { return trimmed }
        return trimmed.dropFirst("bearer".count).trimmingCharacters(in: .whitespaces)
    }
}
