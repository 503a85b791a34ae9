import Foundation
import LicenseModel

/// ISO 8601 times as the state files hold them. The files are written with whole seconds in
/// UTC (`2026-01-31T09:00:00Z`), which is read here by arithmetic: a million users carry tens
/// of millions of such stamps, and a general parser costs microseconds each. Anything else
/// (fractional seconds, an offset) goes to the strict general parser (`ISO8601Times`), never to
/// Foundation's, which can crash on malformed input.
public enum ISO8601Instant {
    public static func parse(_ text: String) -> Date? {
        var text = text
        if let date = text.withUTF8({ fast($0) }) { return date }
        return ISO8601Times.parse(text)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, or nil.
    static func fast(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
            bytes[19] == 0x5A
        else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<start + length {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60, second < 60
        else { return nil }
        let days = ISO8601Times.daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}
