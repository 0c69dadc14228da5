/// A small strict JSON reader for schema files (RFC 8259): numbers keep their source
/// text, object members their order. Schema files are read once at start-up, so this
/// favours clear errors (line and column) over speed; records go through the mapping's
/// own byte-level reader, not this one.
struct SchemaFileReader {
    struct Failure: Error {
        var line: Int
        var column: Int
        var reason: String
    }

    /// Nesting deeper than this is refused (schemas are a few levels deep).
    static let depthMax = 128

    private let bytes: [UInt8]
    private var index = 0

    static func read(_ text: String) throws(Failure) -> JSONValue {
        var reader = SchemaFileReader(bytes: Array(text.utf8))
        reader.skipSpaces()
        let value = try reader.readValue(depth: 0)
        reader.skipSpaces()
        guard reader.index == reader.bytes.count else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func readValue(depth: Int) throws(Failure) -> JSONValue {
        guard depth < SchemaFileReader.depthMax else { throw failure("nesting deeper than \(SchemaFileReader.depthMax)") }
        guard index < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        default: return .number(try readNumber())
        }
    }

    private mutating func readObject(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipSpaces()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members)) }
        while true {
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
            let key = try readString()
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
            index += 1
            skipSpaces()
            members.append((key, try readValue(depth: depth + 1)))
            skipSpaces()
            guard index < bytes.count else { throw failure("unexpected end inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members)) }
            throw failure("expected ',' or '}'")
        }
    }

    private mutating func readArray(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpaces()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipSpaces()
            items.append(try readValue(depth: depth + 1))
            skipSpaces()
            guard index < bytes.count else { throw failure("unexpected end inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw failure("expected ',' or ']'")
        }
    }

    private mutating func readString() throws(Failure) -> String {
        index += 1
        var utf8: [UInt8] = []
        var start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                utf8 += bytes[start..<index]
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            guard byte >= 0x20 else { throw failure("control character in a string; escape it") }
            if byte == UInt8(ascii: "\\") {
                utf8 += bytes[start..<index]
                UTF8.encode(try readEscape()) { utf8.append($0) }
                start = index
            } else {
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private mutating func readEscape() throws(Failure) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try readHex4()
            if (0xD800..<0xDC00).contains(high), index + 1 < bytes.count,
               bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let low = try readHex4()
                if (0xDC00..<0xE000).contains(low),
                   let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) {
                    return scalar
                }
            }
            return Unicode.Scalar(high) ?? "\u{FFFD}"
        default:
            throw failure("unknown escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("bad hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func readNumber() throws(Failure) -> String {
        let start = index
        while index < bytes.count, SchemaFileReader.isNumberByte(bytes[index]) { index += 1 }
        let text = Substring(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else { throw failure("expected a JSON value") }
        guard CoordinateText.isJSONNumber(text) else { index = start; throw failure("'\(text)' is not a JSON number") }
        return String(text)
    }

    private mutating func readLiteral(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("expected '\(word)'")
        }
        index += expected.count
    }

    private mutating func skipSpaces() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        byte &- 0x30 <= 9 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private func failure(_ reason: String) -> Failure {
        var line = 1
        var column = 1
        for byte in bytes[..<min(index, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return Failure(line: line, column: column, reason: reason)
    }
}
