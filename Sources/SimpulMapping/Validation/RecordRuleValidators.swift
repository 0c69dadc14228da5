/// Cross-field rules of correspondence and spatial permits.
public enum DispositionValidator {
    /// Each disposition date must not be before the letter date
    /// (`disposition.before_letter_date` on `dispositions[i].date`).
    /// Dates are ISO dates or date-times with offset; they are compared by the calendar
    /// date as written (both local WITA times in the e-office), so a disposition on the
    /// letter's own day is fine. Unreadable dates are reported as `date.invalid`.
    public static func validate(letterDate: String, dispositionDates: [String?], field: String = "dispositions") -> [ValidationIssue] {
        guard let letter = calendarDate(letterDate) else { return [] }
        var issues: [ValidationIssue] = []
        for (index, text) in dispositionDates.enumerated() {
            guard let text else { continue }
            let path = "\(field)[\(index)].date"
            guard let date = calendarDate(text) else {
                issues.append(DateValidator.issue(field: path, text: "'\(text)'"))
                continue
            }
            if date < letter {
                issues.append(ValidationIssue(
                    field: path, code: ValidationCode.dispositionBeforeLetterDate,
                    message: "disposition dated \(text) is before the letter date \(letterDate); a letter is disposed after it is dated"))
            }
        }
        return issues
    }

    /// The calendar date of an ISO date or date-time.
    static func calendarDate(_ text: String) -> CalendarDate? {
        text.utf8.count == 10 ? CalendarDate(iso: text) : ISODateTime(text)?.date
    }
}

/// Building intensity: KDB (building coverage, %) plus KDH (green area, %) cannot
/// exceed 100 % of the parcel (`intensity.kdb_kdh_sum`).
public enum IntensityValidator {
    /// - Parameters: kdb, kdh in percent; nil skips the check.
    public static func validate(kdb: Double?, kdh: Double?, field: String = "kdh") -> [ValidationIssue] {
        guard let kdb, let kdh, kdb + kdh > 100 else { return [] }
        return [ValidationIssue(
            field: field, code: ValidationCode.intensityKdbKdhSum,
            message: "KDB \(format(kdb)) % + KDH \(format(kdh)) % = \(format(kdb + kdh)) % exceeds 100 % of the parcel")]
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
