/// Dates and times as Indonesian exports write them, parsed without Foundation
/// formatters (one per record would dominate the mapping cost).
///
/// Dates: `12-01-2024`, `12/01/2024` (day first), `2024-01-12`, `12 Januari 2024` and the
/// month abbreviations (`Jan` … `Des`, `Agu`/`Agt`). Times: ` HH:MM[:SS]` after a date
/// (local WITA, UTC+08:00), or ISO `THH:MM:SS` with `Z` or an offset, which is kept.
enum IndonesianDate {
    struct Day: Equatable {
        var year: Int
        var month: Int
        var day: Int

        /// `yyyy-mm-dd`, built from bytes: ten ASCII bytes make a small (inline) string.
        var iso: String {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { bytes in
                writeDigits(year, width: 4, into: bytes, at: 0)
                bytes[4] = UInt8(ascii: "-")
                writeDigits(month, width: 2, into: bytes, at: 5)
                bytes[7] = UInt8(ascii: "-")
                writeDigits(day, width: 2, into: bytes, at: 8)
                return String(decoding: UnsafeBufferPointer(bytes), as: UTF8.self)
            }
        }
    }

    enum Failure: Error, Equatable {
        /// Not a date form we know.
        case unrecognised
        /// A date form we know, naming a day that does not exist (31-02-2024).
        case impossible
    }

    /// Full names and abbreviations, lowercased.
    private static let months: [String: Int] = [
        "januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
        "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
        "sep": 9, "sept": 9, "okt": 10, "nov": 11, "des": 12,
    ]

    /// Parses a date and an optional time.
    /// - Returns: the day, and the time suffix in ISO form (`T10:30:00+08:00`) when given.
    static func parse(_ text: String) -> Result<(day: Day, time: String?), Failure> {
        var text = text
        let numeric = text.withUTF8 { parseNumeric($0) }
        if let numeric { return numeric }
        return parseWithMonthName(text)
    }

    /// `dd-mm-yyyy`, `dd/mm/yyyy` (day and month may have one digit) or `yyyy-mm-dd`,
    /// then an optional time.
    private static func parseNumeric(_ b: UnsafeBufferPointer<UInt8>) -> Result<(day: Day, time: String?), Failure>? {
        var cursor = 0
        func number(maxDigits: Int) -> (value: Int, digits: Int)? {
            var value = 0
            var count = 0
            while cursor < b.count, count < maxDigits, b[cursor] &- UInt8(ascii: "0") < 10 {
                value = value * 10 + Int(b[cursor] &- UInt8(ascii: "0"))
                cursor += 1
                count += 1
            }
            return count == 0 ? nil : (value, count)
        }
        guard let first = number(maxDigits: 4), cursor < b.count else { return nil }
        let separator = b[cursor]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") else { return nil }
        cursor += 1
        guard let second = number(maxDigits: 2), second.digits <= 2, cursor < b.count, b[cursor] == separator else { return nil }
        cursor += 1
        let day: Day
        if first.digits == 4 {
            guard separator == UInt8(ascii: "-"), second.digits == 2, let third = number(maxDigits: 2), third.digits == 2 else { return nil }
            day = Day(year: first.value, month: second.value, day: third.value)
        } else {
            guard first.digits <= 2, let third = number(maxDigits: 4), third.digits == 4 else { return nil }
            day = Day(year: third.value, month: second.value, day: first.value)
        }
        guard isValid(day) else { return .failure(.impossible) }
        if cursor == b.count { return .success((day, nil)) }
        guard let time = parseTime(b, from: cursor) else { return .failure(.unrecognised) }
        if time.isEmpty { return .failure(.impossible) }
        return .success((day, time))
    }

    /// ` HH:MM[:SS]` (WITA) or `THH:MM:SS[.fff](Z|±HH:MM)`; "" for an impossible time.
    private static func parseTime(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> String? {
        guard b[start] == UInt8(ascii: " ") || b[start] == UInt8(ascii: "T"), b.count >= start + 6,
              let hour = digits(b, start + 1, 2), b[start + 3] == UInt8(ascii: ":"),
              let minute = digits(b, start + 4, 2) else { return nil }
        var cursor = start + 6
        var second = 0
        if cursor < b.count, b[cursor] == UInt8(ascii: ":") {
            guard let value = digits(b, cursor + 1, 2) else { return nil }
            second = value
            cursor += 3
        }
        var fraction = ""
        if cursor < b.count, b[cursor] == UInt8(ascii: ".") {
            let fractionStart = cursor
            cursor += 1
            while cursor < b.count, b[cursor] &- UInt8(ascii: "0") < 10 { cursor += 1 }
            guard cursor > fractionStart + 1 else { return nil }
            fraction = String(decoding: b[fractionStart..<cursor], as: UTF8.self)
        }
        guard hour < 24, minute < 60, second < 60 else { return "" }
        var zone = "+08:00"
        if cursor < b.count {
            let suffix = String(decoding: b[cursor...], as: UTF8.self)
            if suffix == "Z" { zone = "Z" }
            else if suffix.utf8.count == 6, let sign = suffix.first, sign == "+" || sign == "-",
                    digits(b, cursor + 1, 2) != nil, b[cursor + 3] == UInt8(ascii: ":"), digits(b, cursor + 4, 2) != nil {
                zone = suffix
            } else {
                return nil
            }
        }
        return "T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(fraction)\(zone)"
    }

    /// `12 Januari 2024`, `12 Jan 2024`, with an optional ` HH:MM[:SS]` after it.
    private static func parseWithMonthName(_ text: String) -> Result<(day: Day, time: String?), Failure> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 || parts.count == 4, let dayOfMonth = Int(parts[0]), parts[0].count <= 2,
              let month = months[parts[1].lowercased()], let year = Int(parts[2]), parts[2].count == 4 else {
            return .failure(.unrecognised)
        }
        let day = Day(year: year, month: month, day: dayOfMonth)
        guard isValid(day) else { return .failure(.impossible) }
        guard parts.count == 4 else { return .success((day, nil)) }
        var timeText = " \(parts[3])"
        guard let time = timeText.withUTF8({ parseTime($0, from: 0) }) else { return .failure(.unrecognised) }
        if time.isEmpty { return .failure(.impossible) }
        return .success((day, time))
    }

    static func isValid(_ day: Day) -> Bool {
        guard (1...12).contains(day.month), day.year >= 1800, day.year <= 2200, day.day >= 1 else { return false }
        let leap = day.year % 4 == 0 && (day.year % 100 != 0 || day.year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day.day <= lengths[day.month - 1]
    }

    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for index in start..<start + count {
            let digit = b[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}

/// Writes `value` as exactly `width` decimal digits (zero-padded, high digits dropped).
@inline(__always)
private func writeDigits(_ value: Int, width: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
    var rest = value
    for index in stride(from: offset + width - 1, through: offset, by: -1) {
        bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
    }
}

/// Zero-pads a non-negative number to `width` digits.
@inline(__always)
func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
