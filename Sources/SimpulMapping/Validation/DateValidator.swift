/// Checks that a date exists: `date.invalid` for 30 February, month 13 and the like.
public enum DateValidator {
    /// Checks a date the mapping has already split into parts (from any source form).
    /// - Parameter field: canonical field path used in the issue, e.g. `birthDate`.
    public static func validate(year: Int, month: Int, day: Int, field: String) -> [ValidationIssue] {
        if CalendarDate.isValid(year: year, month: month, day: day) { return [] }
        return [issue(field: field, text: "day \(day), month \(month), year \(year)")]
    }

    /// Checks a canonical ISO date (`2024-02-13`) or date-time with offset
    /// (`2024-02-13T10:30:00+08:00`).
    public static func validate(iso text: String, field: String) -> [ValidationIssue] {
        if text.utf8.count == 10 {
            if CalendarDate(iso: text) != nil { return [] }
        } else if ISODateTime(text) != nil {
            return []
        }
        return [issue(field: field, text: "'\(text)'")]
    }

    static func issue(field: String, text: String) -> ValidationIssue {
        ValidationIssue(
            field: field, code: ValidationCode.dateInvalid,
            message: "\(text) is not a real calendar date or time; "
                + "write an existing date as YYYY-MM-DD (or a date-time with offset, e.g. 2024-02-13T10:30:00+08:00)")
    }
}
