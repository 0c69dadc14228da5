/// A problem in an adapter file: which file, where inside it, and what to change.
/// Raised while loading, never per record.
public struct AdapterFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The adapter file (`adapters/population/adapter.json`).
    public var file: String
    /// Dotted location inside the file (`fields.address.fields.rt.transforms[1]`), empty for the top.
    public var location: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(file: String, location: String, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): at \(location): \(message)"
    }
}

/// Reads one object of an adapter file strictly: every key must be taken by the
/// compiler, and `finish()` refuses the rest by name (a typo such as `tranforms` must not
/// silently drop a rule).
struct SpecObject {
    let object: JSONObject
    let file: String
    let location: String
    private var taken: Set<String> = []

    init(_ value: JSONValue, file: String, location: String) throws(AdapterFileError) {
        guard case .object(let object) = value else {
            throw AdapterFileError(file: file, location: location, message: "expected an object, found \(value.kindName)")
        }
        self.object = object
        self.file = file
        self.location = location
    }

    func error(_ key: String?, _ message: String) -> AdapterFileError {
        AdapterFileError(file: file, location: child(key), message: message)
    }

    func child(_ key: String?) -> String {
        guard let key else { return location }
        return location.isEmpty ? key : "\(location).\(key)"
    }

    mutating func value(_ key: String) -> JSONValue? {
        taken.insert(key)
        return object[key]
    }

    mutating func string(_ key: String) throws(AdapterFileError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw error(key, "expected a string, found \(value.kindName)") }
        return text
    }

    mutating func requiredString(_ key: String) throws(AdapterFileError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw error(key, "is required (a non-empty string)") }
        return text
    }

    mutating func bool(_ key: String) throws(AdapterFileError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw error(key, "expected true or false, found \(value.kindName)") }
        return flag
    }

    /// A string or an array of strings, as an array.
    mutating func strings(_ key: String) throws(AdapterFileError) -> [String]? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return [text]
        case .array(let elements):
            var result: [String] = []
            for (offset, element) in elements.enumerated() {
                guard case .string(let text) = element else {
                    throw error("\(key)[\(offset)]", "expected a string, found \(element.kindName)")
                }
                result.append(text)
            }
            return result
        default: throw error(key, "expected a string or an array of strings, found \(value.kindName)")
        }
    }

    /// Refuses every key nobody took, naming it and the keys allowed here.
    func finish(allowed: [String]) throws(AdapterFileError) {
        for key in object.keys where !taken.contains(key) {
            throw error(key, "unknown key \"\(key)\"; allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}

extension JSONValue {
    /// A word for the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
