import Foundation

/// When to try a request again and how long to wait, as Graph asks (specs/graph.md §7): 429,
/// 503 and 504 are retried, honouring `Retry-After` (seconds or an HTTP date); without it, and
/// for a dropped connection, the wait doubles from `base` up to `maximum`, with jitter so that
/// several clients don't come back together.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    /// A connection that fails is tried fewer times: a wrong URL should say so in seconds.
    public var connectionAttempts: Int
    public var base: Double
    public var maximum: Double

    public init(attempts: Int = 8, connectionAttempts: Int = 3, base: Double = 1, maximum: Double = 60) {
        self.attempts = attempts
        self.connectionAttempts = connectionAttempts
        self.base = base
        self.maximum = maximum
    }

    static func isRetried(status: Int) -> Bool { status == 429 || status == 503 || status == 504 }

    /// Seconds to wait before attempt `attempt + 1` (`attempt` counts from 1).
    func delay(attempt: Int, retryAfter: String?, now: Date = Date(), jitter: Double = Double.random(in: 0.5...1.0)) -> Double {
        // A Retry-After past five minutes is taken as five minutes (a broken or hostile answer
        // must not park a pull for a day); a negative one as none.
        if let retryAfter, let seconds = Self.seconds(retryAfter, now: now), seconds.isFinite { return min(max(seconds, 0), 300) }
        return min(maximum, base * pow(2, Double(attempt - 1))) * jitter
    }

    /// `Retry-After`: whole seconds, or an HTTP date.
    static func seconds(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { $0.timeIntervalSince(now) }
    }
}
