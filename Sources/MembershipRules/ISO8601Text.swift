import Foundation

/// ISO 8601 times read by arithmetic, strictly: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of
/// one to nine digits, then `Z` or an offset `±HH:MM` (or `±HHMM`); with `dateOnly`, also a bare
/// `YYYY-MM-DD` (midnight UTC). Nothing else is a time.
///
/// Every time LicenseDesk reads — rule constants, state files, journal lines, imports, `--since`
/// and `--now` — comes through here, never through Foundation's ISO8601DateFormatter: ICU's
/// parser under it crashes the process (SIGFPE) on some malformed strings (found by fuzzing the
/// journal reader: `6-01-01T00:00:006.0999…91-00:00Z`), and a rule or a file holding one would
/// take every command down.
public enum ISO8601Text {
    public static func parse(_ text: String, dateOnly: Bool = false) -> Date? {
        var text = text
        return text.withUTF8 { parse($0, dateOnly: dateOnly) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, dateOnly: Bool) -> Date? {
        var reader = Reader(bytes: bytes)
        guard let year = reader.number(4), reader.take(0x2D), let month = reader.number(2), reader.take(0x2D),
            let day = reader.number(2), (1...12).contains(month), (1...daysIn(month, of: year)).contains(day)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        if reader.atEnd { return dateOnly ? Date(timeIntervalSince1970: TimeInterval(days * 86_400)) : nil }
        guard reader.take(0x54) || reader.take(0x74), let hour = reader.number(2), reader.take(0x3A), let minute = reader.number(2),
            reader.take(0x3A), let second = reader.number(2), hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction = 0.0
        if reader.take(0x2E) {
            var digits = 0
            var scale = 0.1
            while let digit = reader.digit() {
                digits += 1
                guard digits <= 9 else { return nil }
                fraction += Double(digit) * scale
                scale /= 10
            }
            guard digits > 0 else { return nil }
        }
        var offset = 0
        if reader.take(0x5A) || reader.take(0x7A) {
            offset = 0
        } else if let sign = reader.sign() {
            guard let hours = reader.number(2) else { return nil }
            _ = reader.take(0x3A)
            guard let minutes = reader.number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3_600 + minutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
            index += 1
            return Int(bytes[index - 1] - 0x30)
        }

        mutating func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int? {
            if take(0x2B) { return 1 }
            if take(0x2D) { return -1 }
            return nil
        }
    }
}
