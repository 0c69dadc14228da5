import SimpulMapping

/// Typed access to one JSON object of a request body or config entry; every mistake is
/// a `422 invalid_subscription` naming the full key (`retry.delaysMs`). `null` counts as absent.
struct SpecReader {
    let object: JSONObject
    let prefix: String

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let object) = value else {
            throw BusError.invalid(code: "invalid_subscription", message: "\(path.isEmpty ? "the body" : path) must be a JSON object")
        }
        self.object = object
        self.prefix = path
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func has(_ key: String) -> Bool { object[key].map { !$0.isNull } ?? false }

    func invalid(_ key: String, _ message: String) -> BusError {
        .invalid(code: "invalid_subscription", message: "\(path(key)): \(message)")
    }

    func missing(_ key: String) -> BusError { invalid(key, "is required") }

    func allowOnly(_ keys: [String]) throws {
        for key in object.keys where !keys.contains(key) {
            throw invalid(key, "unknown key; the known keys here are \(keys.sorted().joined(separator: ", "))")
        }
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw invalid(key, "must be a string") }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw invalid(key, "must be true or false") }
        return flag
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue else { throw invalid(key, "must be an array of strings") }
        return try items.map { item in
            guard let text = item.stringValue else { throw invalid(key, "must be an array of strings") }
            return text
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        return try checked(value, key: key, in: range)
    }

    func integers(_ key: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue else { throw invalid(key, "must be an array of whole numbers") }
        return try items.map { try checked($0, key: key, in: range) }
    }

    func object(_ key: String) throws -> SpecReader? {
        guard let value = value(key) else { return nil }
        return try SpecReader(value, path: path(key))
    }

    private func checked(_ value: JSONValue, key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = value.intValue else { throw invalid(key, "must be a whole number") }
        guard range.contains(number) else { throw invalid(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        return number
    }
}
