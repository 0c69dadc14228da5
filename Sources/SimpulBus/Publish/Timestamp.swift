import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 UTC timestamps (`2026-11-22T03:00:00Z`) without a Foundation formatter: this
/// runs for every event, and creating an `ISO8601DateFormatter` costs more than the rest
/// of the publish path (`String(format:)` too: its digits are written here by hand).
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String {
        format(seconds: time_t(date.timeIntervalSince1970.rounded(.down)), milliseconds: nil)
    }

    /// With milliseconds (`2026-11-22T03:00:00.123Z`), for attempt histories.
    public static func rfc3339(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        return format(seconds: time_t(seconds), milliseconds: Int(milliseconds - seconds * 1000))
    }

    private static func format(seconds: time_t, milliseconds: Int?) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func digits(_ value: Int32, _ count: Int) {
            var rest = max(0, value)
            var divisor: Int32 = 1
            var width = 1
            while width < count || rest / divisor >= 10 {
                divisor *= 10
                width += 1
            }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        text.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        text.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        text.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        text.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        text.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        if let milliseconds {
            text.append(UInt8(ascii: "."))
            digits(Int32(milliseconds), 3)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Milliseconds since the epoch from an RFC 3339 time (`Z` or `±hh:mm`, optional
    /// fraction); nil when it is not one.
    public static func milliseconds(rfc3339 text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    /// Today as `YYYY-MM-DD` in UTC.
    public static func day(milliseconds: Int64) -> String { String(rfc3339(milliseconds: milliseconds).prefix(10)) }
}
