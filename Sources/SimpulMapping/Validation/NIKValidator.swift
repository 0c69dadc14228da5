/// Checks a NIK (Nomor Induk Kependudukan): `PP KK CC DDMMYY SSSS`.
///
/// Codes: `nik.format` (not 16 digits, serial `0000`, or a DDMM part no date can have),
/// `nik.region` (unknown province), `nik.birthdate_mismatch` (DDMMYY differs from
/// `birthDate`, women's day being DD − 40), `nik.sex_mismatch` (day > 40 for a man,
/// ≤ 31 for a woman). Pure and allocation-free on the valid path.
public enum NIKValidator {
    /// Validates one NIK.
    /// - Parameters:
    ///   - nik: the 16-character NIK as the record carries it.
    ///   - birthDate: canonical ISO birth date (`1990-02-12`), or nil to skip that check.
    ///   - sex: canonical `male` / `female`, or nil to skip that check.
    ///   - field: field path used in the issues (default `nik`).
    public static func validate(
        nik: String, birthDate: String? = nil, sex: String? = nil, field: String = "nik"
    ) -> [ValidationIssue] {
        guard Digits.isDigits(nik, count: 16) else {
            return [issue(field, ValidationCode.nikFormat,
                          "NIK '\(nik)' must be exactly 16 digits (PP KK CC DDMMYY SSSS)")]
        }
        let encodedDay = Digits.value(nik, offset: 6, length: 2)
        let month = Digits.value(nik, offset: 8, length: 2)
        let yearTwoDigits = Digits.value(nik, offset: 10, length: 2)
        let serial = Digits.value(nik, offset: 12, length: 4)
        var issues: [ValidationIssue] = []
        if serial == 0 {
            issues.append(issue(field, ValidationCode.nikFormat,
                                "NIK '\(nik)' has serial 0000; serials start at 0001"))
        }
        let day = encodedDay > 40 ? encodedDay - 40 : encodedDay
        if !(1...31).contains(day) || !(1...12).contains(month) {
            issues.append(issue(field, ValidationCode.nikFormat,
                                "NIK '\(nik)' has birth date part \(pair(encodedDay))\(pair(month)) "
                                + "that is no day and month (DD 01-31, or 41-71 for women; MM 01-12)"))
        }
        let province = Digits.value(nik, offset: 0, length: 2)
        if !RegionDirectory.isKnownProvince(code: province) {
            issues.append(issue(field, ValidationCode.nikRegion,
                                "NIK '\(nik)' starts with province code \(pair(province)), which is not a Kemendagri province"))
        }
        if let birthDate, let date = CalendarDate(iso: birthDate),
           date.day != day || date.month != month || date.year % 100 != yearTwoDigits {
            issues.append(issue(field, ValidationCode.nikBirthdateMismatch,
                                "NIK '\(nik)' encodes birth date \(pair(day))-\(pair(month))-..\(pair(yearTwoDigits)) "
                                + "but birthDate is \(birthDate) (women's day is written +40)"))
        }
        if let sex {
            if sex == "male", encodedDay > 40 {
                issues.append(issue(field, ValidationCode.nikSexMismatch,
                                    "NIK '\(nik)' has day \(encodedDay) (> 40, a woman's NIK) but sex is male"))
            } else if sex == "female", encodedDay <= 31 {
                issues.append(issue(field, ValidationCode.nikSexMismatch,
                                    "NIK '\(nik)' has day \(pair(encodedDay)) (≤ 31, a man's NIK; women's day is +40) but sex is female"))
            }
        }
        return issues
    }

    private static func issue(_ field: String, _ code: String, _ message: String) -> ValidationIssue {
        ValidationIssue(field: field, code: code, message: message)
    }

    static func pair(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}

/// Finds NIKs that repeat inside one batch: the first occurrence passes, every later one
/// gets `nik.duplicate`. One tracker per batch; not shared between tasks.
public struct NIKDuplicateTracker: Sendable {
    private var seen: [String: Int] = [:]

    public init() {}

    /// Records `nik` for the 1-based `record` number and reports a repeat.
    public mutating func check(nik: String, record: Int, field: String = "nik") -> [ValidationIssue] {
        if let first = seen[nik] {
            return [ValidationIssue(
                field: field, code: ValidationCode.nikDuplicate,
                message: "NIK '\(nik)' already appeared in record \(first) of this batch; send each person once")]
        }
        seen[nik] = record
        return []
    }
}
