import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 UTC timestamps (`2026-11-22T03:00:00Z`) without a Foundation formatter: this
/// runs for every event, and creating an `ISO8601DateFormatter` costs more than the rest
/// of the publish path.
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// With milliseconds (`2026-11-22T03:00:00.123Z`), for attempt histories.
    public static func rfc3339(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(milliseconds % 1000))
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
