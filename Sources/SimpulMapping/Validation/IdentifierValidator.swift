/// Format checks of the short identifiers: KK, NIB, KBLI, RT/RW. Each returns no issue
/// for a valid value and one issue otherwise. Byte-level, no regex.
public enum IdentifierValidator {
    /// No. KK (family card number): 16 digits → `kk.format`.
    public static func validate(familyCardNumber value: String, field: String = "familyCardNumber") -> [ValidationIssue] {
        if Digits.isDigits(value, count: 16) { return [] }
        return [ValidationIssue(field: field, code: ValidationCode.kkFormat,
                                message: "family card number (No. KK) '\(value)' must be exactly 16 digits")]
    }

    /// NIB (Nomor Induk Berusaha): 13 digits → `nib.format`.
    public static func validate(nib value: String, field: String = "nib") -> [ValidationIssue] {
        if Digits.isDigits(value, count: 13) { return [] }
        return [ValidationIssue(field: field, code: ValidationCode.nibFormat,
                                message: "NIB '\(value)' must be exactly 13 digits (as issued by OSS)")]
    }

    /// KBLI code: 5 digits (`47111`) → `kbli.format`.
    public static func validate(kbli value: String, field: String = "kbli") -> [ValidationIssue] {
        if Digits.isDigits(value, count: 5) { return [] }
        return [ValidationIssue(field: field, code: ValidationCode.kbliFormat,
                                message: "KBLI code '\(value)' must be exactly 5 digits, e.g. 47111")]
    }

    /// RT or RW number: 1 to 3 digits (`5`, `05`, `005`) → `rtrw.format`.
    /// The canonical form is zero-padded to 3 digits: see `canonicalRTRW(_:)`.
    public static func validate(rtrw value: String, field: String) -> [ValidationIssue] {
        if Digits.isDigits(value, countIn: 1...3) { return [] }
        return [ValidationIssue(field: field, code: ValidationCode.rtrwFormat,
                                message: "RT/RW '\(value)' must be 1 to 3 digits, e.g. 005")]
    }

    /// The canonical 3-digit RT/RW (`5` → `005`), or nil when `value` is not 1–3 digits.
    public static func canonicalRTRW(_ value: String) -> String? {
        guard Digits.isDigits(value, countIn: 1...3) else { return nil }
        return String(repeating: "0", count: 3 - value.utf8.count) + value
    }
}
