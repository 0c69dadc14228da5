/// Generic field checks the mapping applies to any field: presence and enum membership.
public enum FieldValidator {
    /// `required.missing` when `value` is nil, JSON null or an empty/blank string.
    public static func validate(required value: JSONValue?, field: String) -> [ValidationIssue] {
        switch value {
        case nil, .null?:
            break
        case .string(let text)? where text.allSatisfy(\.isWhitespace):
            break
        default:
            return []
        }
        return [ValidationIssue(field: field, code: ValidationCode.requiredMissing,
                                message: "\(field) is required but missing or empty")]
    }

    /// `enum.unknown` when `value` is not one of `allowed`; the message names the value
    /// and the allowed ones (source terms when the mapping passes them).
    public static func validate(enumValue value: String, allowed: [String], field: String) -> [ValidationIssue] {
        if allowed.contains(value) { return [] }
        return [ValidationIssue(field: field, code: ValidationCode.enumUnknown,
                                message: "unknown value '\(value)' for \(field); allowed: \(allowed.joined(separator: ", "))")]
    }
}
