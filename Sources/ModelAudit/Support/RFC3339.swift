import Foundation

/// Strict RFC 3339 date-time parsing and formatting (`2026-01-31T12:00:00Z`, `…T12:00:00.5+01:00`).
public enum RFC3339 {
    /// Parses an RFC 3339 `date-time`; `nil` for anything else (no date-only, no missing offset, no leap-free
    /// field overflow such as month 13 or February 30).
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0, dateOnly: false) }
    }

    /// Parses the UTF-8 of a `date-time`, or with `dateOnly` of a `full-date` taken as midnight UTC, in place: the
    /// timestamps of every manifest of a fleet come through here, so it neither copies nor builds anything.
    static func parse(utf8 b: UnsafeBufferPointer<UInt8>, dateOnly: Bool) -> Date? {
        guard dateOnly ? b.count == 10 : b.count >= 20 && b.count <= 64 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        func at(_ i: Int, _ c: UInt8) -> Bool { i < b.count && b[i] == c }
        guard let year = digits(0, 4), at(4, UInt8(ascii: "-")), let month = digits(5, 2), at(7, UInt8(ascii: "-")),
            let day = digits(8, 2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        if dateOnly {
            return Date(timeIntervalSince1970: Double(daysFromCivil(year: year, month: month, day: day) * 86_400))
        }
        guard at(10, UInt8(ascii: "T")) || at(10, UInt8(ascii: "t")), let hour = digits(11, 2),
            at(13, UInt8(ascii: ":")), let minute = digits(14, 2), at(16, UInt8(ascii: ":")),
            let second = digits(17, 2), hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if at(index, UInt8(ascii: ".")) {
            index += 1
            var scale = 0.1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                fraction += Double(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        if at(index, UInt8(ascii: "Z")) || at(index, UInt8(ascii: "z")) {
            index += 1
        } else if at(index, UInt8(ascii: "+")) || at(index, UInt8(ascii: "-")) {
            let sign = at(index, UInt8(ascii: "-")) ? -1 : 1
            guard let oh = digits(index + 1, 2), at(index + 3, UInt8(ascii: ":")), let om = digits(index + 4, 2),
                oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ` in UTC (fractions dropped), the form every report uses.
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondsOfDay = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay % 3600 / 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days-from-civil algorithm, proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension RFC3339 {
    /// Parses an RFC 3339 `full-date` (`2026-01-31`, taken as midnight UTC) or `date-time`.
    public static func parseDateOrDateTime(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0, dateOnly: $0.count == 10) }
    }
}
