import SimpulMapping

/// Reading API answers without ceremony: a missing or mistyped member is nil.
extension JSONValue {
    var int: Int64? {
        if case .number(let text) = self { return Int64(text) ?? Double(text).map { Int64($0) } }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    /// A member as display text: strings as they are, numbers, `-` for null or missing.
    func text(_ key: String) -> String {
        switch self[key] {
        case .string(let text)?: return text
        case .number(let text)?: return text
        case .bool(let value)?: return value ? "yes" : "no"
        case .array(let items)?: return items.map { $0.stringValue ?? $0.jsonText }.joined(separator: ",")
        case .object(let object)?: return JSONValue.object(object).jsonText
        case .null?, nil: return "-"
        }
    }

    /// A JSON object from ordered members (the CLI's `--json` documents keep their field order).
    static func members(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
    }

    static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }
}
