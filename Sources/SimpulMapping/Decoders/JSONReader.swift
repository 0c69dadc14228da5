/// A byte-level JSON reader (RFC 8259) producing `JSONValue` without Foundation.
///
/// It is the mapping hot path: no `JSONSerialization`, no `[String: Any]`, no per-value
/// allocation beyond the resulting tree. Strings are validated as UTF-8; numbers are
/// checked against the JSON grammar and kept as their source text. Nesting deeper than
/// `DecodeLimits.nestingDepthMax` is refused rather than recursed into.
///
/// Duplicate object keys are kept in input order (lookups return the first); the
/// canonical records built from them never carry duplicates.
public struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private var depth = 0
    /// Start offset of each element of a top-level array, when asked for.
    private var elementOffsets: [Int]?
    /// With `elementOffsets`: take the elements of this member of a root object (a
    /// FeatureCollection's `features`) instead of those of a root array.
    private var recordsMember: String?
    private var insideRecordsMember = false
    private let format: InputFormat
    /// The members and elements of the containers being read, innermost last: each
    /// container is then built once at its exact size instead of regrown member by member.
    private var memberStack: [(key: String, value: JSONValue)] = []
    private var elementStack: [JSONValue] = []
    /// Added to computed lines, for NDJSON where `bytes` is one line of a larger input.
    private let lineOffset: Int

    private init(_ bytes: UnsafeBufferPointer<UInt8>, format: InputFormat, lineOffset: Int) {
        self.bytes = bytes
        self.index = 0
        self.format = format
        self.lineOffset = lineOffset
    }

    /// Parses one complete JSON document.
    /// - Throws: `DecodeError` with line and column of the first problem.
    public static func parse(_ input: [UInt8]) throws(DecodeError) -> JSONValue {
        let result: Result<JSONValue, DecodeError> = input.withUnsafeBufferPointer { buffer in
            Result { () throws(DecodeError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses one complete JSON document from a buffer (a leading UTF-8 BOM is skipped).
    /// - Parameters:
    ///   - format: named in errors (`ndjson` when reading one line of an NDJSON file).
    ///   - lineOffset: lines before `buffer` in the whole input, for error positions.
    public static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, format: InputFormat = .json, lineOffset: Int = 0
    ) throws(DecodeError) -> JSONValue {
        var reader = JSONReader(buffer, format: format, lineOffset: lineOffset)
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { reader.index = 3 }
        reader.skipWhitespace()
        guard reader.index < buffer.count else { throw reader.error("the input is empty; expected a JSON value") }
        let value = try reader.readValue()
        reader.skipWhitespace()
        if reader.index < buffer.count {
            throw reader.error("unexpected \(reader.describeByte()) after the end of the JSON value")
        }
        return value
    }

    /// Parses one document and, when it is an array, the 1-based line where each of its
    /// elements starts (for record-level messages); `[]` for any other root.
    /// - Parameter member: take the elements of this member of a root object instead
    ///   (`features` of a GeoJSON FeatureCollection).
    public static func parseWithElementLines(_ input: [UInt8], member: String? = nil) throws(DecodeError) -> (value: JSONValue, lines: [Int]) {
        let result: Result<(JSONValue, [Int]), DecodeError> = input.withUnsafeBufferPointer { buffer in
            Result { () throws(DecodeError) -> (JSONValue, [Int]) in
                var reader = JSONReader(buffer, format: .json, lineOffset: 0)
                reader.elementOffsets = []
                reader.recordsMember = member
                if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { reader.index = 3 }
                reader.skipWhitespace()
                guard reader.index < buffer.count else { throw reader.error("the input is empty; expected a JSON value") }
                let value = try reader.readValue()
                reader.skipWhitespace()
                if reader.index < buffer.count {
                    throw reader.error("unexpected \(reader.describeByte()) after the end of the JSON value")
                }
                return (value, JSONReader.lines(of: reader.elementOffsets ?? [], in: buffer))
            }
        }
        let (value, lines) = try result.get()
        return (value, lines)
    }

    /// Lines of ascending offsets, counted in one pass.
    private static func lines(of offsets: [Int], in buffer: UnsafeBufferPointer<UInt8>) -> [Int] {
        var lines: [Int] = []
        lines.reserveCapacity(offsets.count)
        var line = 1
        var cursor = 0
        for offset in offsets {
            while cursor < offset {
                if buffer[cursor] == 0x0A { line += 1 }
                cursor += 1
            }
            lines.append(line)
        }
        return lines
    }

    // MARK: values

    private mutating func readValue() throws(DecodeError) -> JSONValue {
        guard index < bytes.count else { throw error("the input ends where a value was expected (truncated?)") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("unexpected \(describeByte()); expected a JSON value")
        }
    }

    private mutating func enter() throws(DecodeError) {
        depth += 1
        if depth > DecodeLimits.nestingDepthMax {
            throw error("nesting deeper than \(DecodeLimits.nestingDepthMax) levels (DecodeLimits.nestingDepthMax)")
        }
    }

    private mutating func readObject() throws(DecodeError) -> JSONValue {
        try enter()
        index += 1
        let base = memberStack.count
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "unexpected \(describeByte()); expected a quoted member name"
                    : "the input ends inside an object (truncated?)")
            }
            let key = try readString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after member name \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            if depth == 1, let recordsMember, key == recordsMember {
                insideRecordsMember = true
                memberStack.append((key, try readValue()))
                insideRecordsMember = false
            } else {
                memberStack.append((key, try readValue()))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("the input ends inside an object (truncated?)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw error("unexpected \(describeByte()) in an object; expected ',' or '}'")
        }
        depth -= 1
        return .object(JSONObject(Self.popAll(above: base, of: &memberStack)))
    }

    private mutating func readArray() throws(DecodeError) -> JSONValue {
        try enter()
        index += 1
        let base = elementStack.count
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        while true {
            skipWhitespace()
            if recordsMember == nil ? depth == 1 : (depth == 2 && insideRecordsMember) { elementOffsets?.append(index) }
            elementStack.append(try readValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("the input ends inside an array (truncated?)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw error("unexpected \(describeByte()) in an array; expected ',' or ']'")
        }
        depth -= 1
        return .array(Self.popAll(above: base, of: &elementStack))
    }

    /// The items of `stack` from `base` on, in order, in an array of their exact size; they
    /// are moved off the stack (popped), not copied, so no item is retained and released.
    private static func popAll<Item>(above base: Int, of stack: inout [Item]) -> [Item] {
        let count = stack.count - base
        return [Item](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let start = buffer.baseAddress else { return }
            for slot in stride(from: count - 1, through: 0, by: -1) {
                (start + slot).initialize(to: stack.removeLast())
            }
            initialized = count
        }
    }

    private mutating func readLiteral(_ word: StaticString) throws(DecodeError) {
        let count = word.utf8CodeUnitCount
        let text = word.utf8Start
        guard index + count <= bytes.count else { throw error("the input ends inside the literal \(word)") }
        for offset in 0..<count where bytes[index + offset] != text[offset] {
            throw error("invalid literal; expected \(word)")
        }
        index += count
    }

    private mutating func readNumber() throws(DecodeError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number needs a digit after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("a number may not have a leading zero") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number needs digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number needs digits in its exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: strings

    private mutating func readString() throws(DecodeError) -> String {
        let open = index
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            if let word = JSONStringScan.word(bytes, at: index), !JSONStringScan.mayEndRun(word) {
                if word & JSONStringScan.highBits != 0 { ascii = false }
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string; re-export the file as UTF-8", at: open)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start, open: open) }
            if byte < 0x20 { throw error("a raw control character (byte \(byte)) inside a string; escape it") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw error("a string is not closed (truncated input or a missing '\"')", at: open)
    }

    private mutating func readEscapedString(from start: Int, open: Int) throws(DecodeError) -> String {
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string; re-export the file as UTF-8", at: open)
                }
                return text
            }
            if byte < 0x20 { throw error("a raw control character (byte \(byte)) inside a string; escape it") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): appendUTF8(try readUnicodeEscape(), to: &scratch)
            default:
                index -= 1
                throw error("unknown escape '\\\(describeByte())' in a string")
            }
        }
        throw error("a string is not closed (truncated input or a missing '\"')", at: open)
    }

    /// Reads the hex digits after `\u` (and a following low surrogate) as one scalar.
    private mutating func readUnicodeEscape() throws(DecodeError) -> UInt32 {
        let high = try readHex4()
        if high < 0xD800 || high > 0xDFFF { return high }
        guard high <= 0xDBFF, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
              bytes[index + 1] == UInt8(ascii: "u") else {
            throw error("a lone UTF-16 surrogate \\u\(String(high, radix: 16)) in a string")
        }
        index += 2
        let low = try readHex4()
        guard (0xDC00...0xDFFF).contains(low) else {
            throw error("a UTF-16 high surrogate not followed by a low surrogate")
        }
        return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    }

    private mutating func readHex4() throws(DecodeError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("the input ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case ..<0x80: buffer.append(UInt8(scalar))
        case ..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: helpers

    @inline(__always) private mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    private func describeByte() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func error(_ message: String, at offset: Int? = nil) -> DecodeError {
        let (line, column) = ByteLocator.locate(bytes, offset: offset ?? index)
        return DecodeError(format: format, line: line + lineOffset, column: column, message: message)
    }
}
