import Foundation

/// Times as the admin types and reads them. Input: ISO 8601 (`2026-11-22T11:00:00+08:00`,
/// `…Z`, a bare date or date-time in the local zone) or relative to now (`30m`, `2h`,
/// `1d`: that long ago). Output: the local zone with its offset (WITA is `+08:00`), or UTC.
enum TimeText {
    /// Units of a relative time, in seconds.
    static let relativeUnits: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// Parses what the admin typed.
    /// - Throws: `CLIError` (exit 2) naming the accepted forms.
    static func parse(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) throws(CLIError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, let seconds = relativeUnits[unit], let count = Double(trimmed.dropLast()), count >= 0 {
            return now.addingTimeInterval(-count * seconds)
        }
        if let date = parseISO(trimmed, timeZone: timeZone) { return date }
        throw CLIError.usage("\"\(text)\" is not a time; use ISO 8601 (2026-11-22T11:00:00+08:00, 2026-11-22) "
                             + "or a time ago (30m, 2h, 1d)")
    }

    /// ISO 8601 with or without offset and fraction; without an offset the local zone.
    static func parseISO(_ text: String, timeZone: TimeZone) -> Date? {
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let withOffset = ISO8601DateFormatter()
        withOffset.formatOptions = [.withInternetDateTime]
        if let date = withOffset.date(from: normalized) { return date }
        withOffset.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withOffset.date(from: normalized) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = timeZone
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let date = local.date(from: normalized) { return date }
        }
        return nil
    }

    /// RFC 3339 UTC with milliseconds: what the API takes and gives.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// A time for a table: `2026-11-22T11:04:05+08:00` (local) or `2026-11-22T03:04:05Z` (UTC).
    static func display(_ date: Date, utc: Bool, timeZone: TimeZone = .current) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = utc ? TimeZone(identifier: "UTC") : timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// An API time string shown for a table; text that is not a time is shown as it is.
    static func display(api text: String?, utc: Bool, timeZone: TimeZone = .current) -> String {
        guard let text, !text.isEmpty else { return "-" }
        guard let date = parseISO(text, timeZone: TimeZone(identifier: "UTC") ?? timeZone) else { return text }
        return display(date, utc: utc, timeZone: timeZone)
    }

    /// A duration in milliseconds for a table: `850ms`, `12s`, `5m`, `3h`, `2d`.
    static func duration(milliseconds: Int64?) -> String {
        guard let milliseconds else { return "-" }
        switch milliseconds {
        case ..<1000: return "\(milliseconds)ms"
        case ..<60_000: return "\(milliseconds / 1000)s"
        case ..<3_600_000: return "\(milliseconds / 60_000)m"
        case ..<86_400_000: return "\(milliseconds / 3_600_000)h"
        default: return "\(milliseconds / 86_400_000)d"
        }
    }
}
