/// A proleptic Gregorian calendar date, checked for existence (no 30 February).
///
/// The mapping parses the many source date forms (`12-01-2024`, `12 Januari 2024`, …)
/// itself; this type is where they all meet to be checked and written as ISO 8601.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1…9999; month 1…12; day 1…28/29/30/31.
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or nil when it does not exist (month 13, 29 February 2023, year 0).
    public init?(year: Int, month: Int, day: Int) {
        guard CalendarDate.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (the canonical form); nil when malformed or impossible.
    public init?(iso text: String) {
        guard text.utf8.count == 10,
              CalendarDate.hasISODateShape(text, offset: 0)
        else { return nil }
        self.init(
            year: Digits.value(text, offset: 0, length: 4),
            month: Digits.value(text, offset: 5, length: 2),
            day: Digits.value(text, offset: 8, length: 2))
    }

    /// True when the day exists in that month of that year (years 1…9999).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    /// Days in a month, leap years included.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// True when the 10 bytes at `offset` look like `DDDD-DD-DD`.
    static func hasISODateShape(_ text: String, offset: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= offset + 10 else { return false }
        var index = utf8.index(utf8.startIndex, offsetBy: offset)
        for position in 0..<10 {
            let byte = utf8[index]
            if position == 4 || position == 7 {
                if byte != UInt8(ascii: "-") { return false }
            } else if byte &- 0x30 > 9 {
                return false
            }
            index = utf8.index(after: index)
        }
        return true
    }
}
