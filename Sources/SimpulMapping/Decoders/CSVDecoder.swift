/// Reads a CSV export (RFC 4180 with the habits of Indonesian office exports): a header
/// row, `,` or `;` as separator (whichever the header uses more), fields optionally in
/// double quotes with `""` for a quote, CRLF or LF line ends, and an optional UTF-8 BOM.
///
/// Each record becomes an object of strings keyed by the header, in header order.
/// Blank lines are skipped; a record whose field count differs from the header's is an
/// error naming the line and the record, never silently padded or cut.
public struct CSVDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line = 1
    private var separator = UInt8(ascii: ",")
    private var fieldBuffer: [UInt8] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Decodes a whole CSV input.
    /// - Throws: `DecodeError` naming the line, column and record of the first problem.
    public static func decode(_ input: [UInt8]) throws(DecodeError) -> DecodedInput {
        try JSONRecordDecoder.checkSize(input, format: .csv)
        let result: Result<[SourceRecord], DecodeError> = input.withUnsafeBufferPointer { buffer in
            Result { () throws(DecodeError) -> [SourceRecord] in
                var decoder = CSVDecoder(buffer)
                return try decoder.readAll()
            }
        }
        return DecodedInput(format: .csv, records: try result.get())
    }

    private mutating func readAll() throws(DecodeError) -> [SourceRecord] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipBlankLines()
        guard index < bytes.count else {
            throw DecodeError(format: .csv, line: line, message: "the input is empty; expected a header row")
        }
        separator = detectSeparator()
        let header = try readHeader()
        var records: [SourceRecord] = []
        var fields: [String] = []
        fields.reserveCapacity(header.count)
        while true {
            skipBlankLines()
            guard index < bytes.count else { break }
            let recordLine = line
            let recordStart = index
            let position = records.count + 1
            fields.removeAll(keepingCapacity: true)
            try readRecord(into: &fields, record: position)
            if index - recordStart > DecodeLimits.lineBytesMax {
                throw DecodeError(format: .csv, line: recordLine, record: position, message:
                    "record is \(index - recordStart) bytes; the limit is \(DecodeLimits.lineBytesMax) (DecodeLimits.lineBytesMax)")
            }
            guard fields.count == header.count else {
                throw DecodeError(format: .csv, line: recordLine, record: position, message:
                    "record has \(fields.count) fields but the header has \(header.count); check the separators and quotes on this line")
            }
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(header.count)
            for column in 0..<header.count { members.append((header[column], .string(fields[column]))) }
            records.append(SourceRecord(value: .object(JSONObject(members)), position: position, line: recordLine))
            try JSONRecordDecoder.checkCount(records.count, format: .csv)
        }
        return records
    }

    private mutating func readHeader() throws(DecodeError) -> [String] {
        var names: [String] = []
        let headerLine = line
        try readRecord(into: &names, record: nil)
        for (column, name) in names.enumerated() {
            let trimmed = name.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else {
                throw DecodeError(format: .csv, line: headerLine, message: "header column \(column + 1) has no name")
            }
            if names[..<column].contains(where: { $0.trimmingASCIIWhitespace() == trimmed }) {
                throw DecodeError(format: .csv, line: headerLine, message: "header names column \"\(trimmed)\" twice")
            }
            names[column] = trimmed
        }
        return names
    }

    /// The separator the header line uses more often (quoted text is ignored).
    private func detectSeparator() -> UInt8 {
        var semicolons = 0, commas = 0, quoted = false
        var cursor = index
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            else if !quoted && byte == 0x0A { break }
            else if !quoted && byte == UInt8(ascii: ";") { semicolons += 1 }
            else if !quoted && byte == UInt8(ascii: ",") { commas += 1 }
            cursor += 1
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    private mutating func skipBlankLines() {
        while index < bytes.count {
            if bytes[index] == 0x0A { index += 1; line += 1 }
            else if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 2; line += 1 }
            else { return }
        }
    }

    /// Reads fields up to and including the end of the record's last line.
    private mutating func readRecord(into fields: inout [String], record: Int?) throws(DecodeError) {
        while true {
            fields.append(try readField(record: record))
            guard index < bytes.count else { return }
            let byte = bytes[index]
            if byte == separator { index += 1; continue }
            if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 2; line += 1; return }
            if byte == 0x0A { index += 1; line += 1; return }
            throw error("unexpected character after a closing quote; a quoted field must end at a separator or line end", record: record)
        }
    }

    private mutating func readField(record: Int?) throws(DecodeError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == separator || byte == 0x0A { break }
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { break }
                index += 1
            }
            return try makeString(UnsafeBufferPointer(rebasing: bytes[start..<index]), at: start, record: record)
        }
        let openLine = line
        let openIndex = index
        index += 1
        fieldBuffer.removeAll(keepingCapacity: true)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                    fieldBuffer.append(byte)
                    index += 2
                    continue
                }
                index += 1
                let text: Result<String, DecodeError> = fieldBuffer.withUnsafeBufferPointer { field in
                    Result { () throws(DecodeError) -> String in try makeString(field, at: openIndex, record: record) }
                }
                return try text.get()
            }
            if byte == 0x0A { line += 1 }
            fieldBuffer.append(byte)
            index += 1
        }
        let (_, column) = ByteLocator.locate(bytes, offset: openIndex)
        throw DecodeError(format: .csv, line: openLine, column: column, record: record, message:
            "a quoted field opened here is never closed (unbalanced '\"'); double a quote inside a field as \"\"")
    }

    private func makeString(_ field: UnsafeBufferPointer<UInt8>, at offset: Int, record: Int?) throws(DecodeError) -> String {
        var ascii = true
        for byte in field where byte >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: field, as: UTF8.self) }
        guard let text = String(validating: field, as: UTF8.self) else {
            throw error("invalid UTF-8 in a field; re-export the file as UTF-8", at: offset, record: record)
        }
        return text
    }

    private func error(_ message: String, at offset: Int? = nil, record: Int?) -> DecodeError {
        let (line, column) = ByteLocator.locate(bytes, offset: offset ?? index)
        return DecodeError(format: .csv, line: line, column: column, record: record, message: message)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and line ends.
    func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        // The common case, nothing to trim, costs two O(1) reads.
        guard let head = utf8.first, let tail = utf8.last else { return self }
        if !head.isASCIIWhitespace && !tail.isASCIIWhitespace { return self }
        guard let first = utf8.firstIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        let last = utf8.lastIndex(where: { !$0.isASCIIWhitespace }) ?? first
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
