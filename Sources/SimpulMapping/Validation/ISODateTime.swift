/// An RFC 3339 date-time with a mandatory offset (`2024-02-13T10:30:00+08:00`, `…Z`),
/// parsed on the UTF-8 bytes. Used for `format: date-time` and for ordering status
/// history steps across offsets.
public struct ISODateTime: Sendable, Hashable, Comparable {
    /// The calendar date as written (local to the offset).
    public let date: CalendarDate
    /// Seconds since 1970-01-01T00:00:00Z, fraction included.
    public let epochSeconds: Double

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and `z` may be lowercase.
    /// Nil when malformed or when any part is out of range (hour 24, second 60, day 31
    /// in a 30-day month, year 0).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, CalendarDate.hasISODateShape(text, offset: 0),
              let date = CalendarDate(
                year: Digits.value(text, offset: 0, length: 4),
                month: Digits.value(text, offset: 5, length: 2),
                day: Digits.value(text, offset: 8, length: 2)),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let hour = ISODateTime.twoDigits(bytes, 11), hour <= 23, bytes[13] == UInt8(ascii: ":"),
              let minute = ISODateTime.twoDigits(bytes, 14), minute <= 59, bytes[16] == UInt8(ascii: ":"),
              let second = ISODateTime.twoDigits(bytes, 17), second <= 59
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] &- 0x30 <= 9 {
                fraction += Double(bytes[index] &- 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard let offsetSeconds = ISODateTime.offset(bytes, from: index) else { return nil }
        let days = ISODateTime.daysFromCivil(date)
        let local = Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
        self.date = date
        self.epochSeconds = local - Double(offsetSeconds)
    }

    public static func < (lhs: ISODateTime, rhs: ISODateTime) -> Bool {
        lhs.epochSeconds < rhs.epochSeconds
    }

    /// The offset in seconds east of UTC when `bytes[from...]` is exactly `Z` or `±HH:MM`.
    private static func offset(_ bytes: [UInt8], from index: Int) -> Int? {
        let remaining = bytes.count - index
        if remaining == 1, bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            return 0
        }
        guard remaining == 6, bytes[index + 3] == UInt8(ascii: ":"),
              let hours = twoDigits(bytes, index + 1), hours <= 23,
              let minutes = twoDigits(bytes, index + 4), minutes <= 59
        else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "+"): return hours * 3_600 + minutes * 60
        case UInt8(ascii: "-"): return -(hours * 3_600 + minutes * 60)
        default: return nil
        }
    }

    private static func twoDigits(_ bytes: [UInt8], _ index: Int) -> Int? {
        guard index + 1 < bytes.count else { return nil }
        let high = bytes[index] &- 0x30
        let low = bytes[index + 1] &- 0x30
        guard high <= 9, low <= 9 else { return nil }
        return Int(high) * 10 + Int(low)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(_ date: CalendarDate) -> Int {
        let year = date.month <= 2 ? date.year - 1 : date.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let monthIndex = (date.month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
