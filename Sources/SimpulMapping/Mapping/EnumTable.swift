/// A compiled `{"enum": {...}}` transform: source terms → canonical values.
///
/// Terms match exactly first (the common case costs one hash lookup), then trimmed and
/// uppercased, so `Sangat Segera`, `SANGAT SEGERA` and ` sangat segera ` agree.
///
/// A class so that running a transform list retains one reference, not three.
final class EnumTable: Sendable {
    private let exact: [String: JSONValue]
    private let folded: [String: JSONValue]
    private let allowed: String

    init(_ table: [(key: String, value: JSONValue)]) {
        var exact: [String: JSONValue] = [:]
        var folded: [String: JSONValue] = [:]
        for (key, value) in table {
            exact[key] = value
            folded[key.trimmingASCIIWhitespace().uppercased()] = value
        }
        self.exact = exact
        self.folded = folded
        self.allowed = table.map(\.key).joined(separator: ", ")
    }

    func lookup(_ value: JSONValue, field: String) -> StepResult {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number
        case .bool(let flag): text = flag ? "true" : "false"
        default:
            return .failure(ValidationIssue(field: field, code: ValidationCode.enumUnknown,
                                            message: "expected one of \(allowed), found \(value.kindName)"))
        }
        if let hit = exact[text] { return .success(hit) }
        if let hit = folded[text.trimmingASCIIWhitespace().uppercased()] { return .success(hit) }
        return .failure(ValidationIssue(field: field, code: ValidationCode.enumUnknown,
                                        message: "unknown value \"\(text)\"; allowed: \(allowed)"))
    }
}
