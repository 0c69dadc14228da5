import SimpulMapping

/// Cuts an export file into batches on record boundaries, so a file larger than the
/// server's body or batch limit is sent as several requests whose records are exactly the
/// file's records. CSV batches repeat the header row; JSON arrays become smaller arrays;
/// NDJSON is cut between lines. XML, GeoJSON and a single JSON object are sent whole.
///
/// Each batch is the file's own bytes between its first and last record (plus the header
/// or brackets), so the line numbers the server reports map back to the file's lines.
struct RecordSplitter {
    /// Where one record sits in the file, and the line it starts on (1-based).
    struct Span {
        var start: Int
        var end: Int
        var line: Int
    }

    let bytes: [UInt8]
    /// Sent before every batch's records (the CSV header row, `[`).
    let prefix: [UInt8]
    /// Sent after them (`]`).
    let suffix: [UInt8]
    /// Empty when the file is sent whole.
    let spans: [Span]

    /// Line breaks in `prefix`: a batch's line L is the file's line `L - prefixLines + span.line - 1`.
    var prefixLines: Int { prefix.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
    var isSplittable: Bool { !spans.isEmpty }

    init(_ bytes: [UInt8], format: InputFormat) {
        self.bytes = bytes
        switch format {
        case .csv:
            // The header row (and anything before the first record) goes with every batch.
            let rows = Self.csvRows(bytes)
            if rows.count > 1 {
                prefix = Array(bytes[0..<rows[1].start])
                spans = Array(rows.dropFirst())
            } else {
                prefix = []
                spans = []
            }
            suffix = []
        case .ndjson:
            prefix = []
            suffix = []
            spans = Self.lines(bytes)
        case .json:
            if let elements = Self.arrayElements(bytes) {
                prefix = Array("[".utf8)
                suffix = Array("]".utf8)
                spans = elements
            } else {
                prefix = []
                suffix = []
                spans = []
            }
        case .xml, .geojson:
            prefix = []
            suffix = []
            spans = []
        }
    }

    /// The body holding records `range`, or the whole file when it cannot be split.
    func body(_ range: Range<Int>) -> [UInt8] {
        guard isSplittable else { return bytes }
        return prefix + bytes[spans[range.lowerBound].start..<spans[range.upperBound - 1].end] + suffix
    }

    /// The next batch from record `start`: at most `recordsMax` records and `bytesMax`
    /// body bytes, and always at least one record (a huge one is the server's to refuse).
    func batch(from start: Int, recordsMax: Int, bytesMax: Int) -> Range<Int> {
        guard isSplittable else { return 0..<0 }
        let fixed = prefix.count + suffix.count
        var end = start + 1
        while end < spans.count && end - start < recordsMax && fixed + spans[end].end - spans[start].start <= bytesMax {
            end += 1
        }
        return start..<end
    }

    // MARK: - Finding records

    /// CSV rows: a line break inside double quotes belongs to the field. Blank lines are no rows.
    static func csvRows(_ bytes: [UInt8]) -> [Span] {
        var rows: [Span] = []
        var inQuotes = false
        var start = 0
        var line = 1
        var startLine = 1
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            guard byte == 0x0A else { continue }
            line += 1
            if inQuotes { continue }
            if !isBlank(bytes[start..<index]) { rows.append(Span(start: start, end: index + 1, line: startLine)) }
            start = index + 1
            startLine = line
        }
        if start < bytes.count && !isBlank(bytes[start...]) { rows.append(Span(start: start, end: bytes.count, line: startLine)) }
        return rows
    }

    /// NDJSON: every non-blank line.
    static func lines(_ bytes: [UInt8]) -> [Span] {
        var spans: [Span] = []
        var start = 0
        var line = 1
        for index in bytes.indices where bytes[index] == 0x0A {
            if !isBlank(bytes[start..<index]) { spans.append(Span(start: start, end: index + 1, line: line)) }
            start = index + 1
            line += 1
        }
        if start < bytes.count && !isBlank(bytes[start...]) { spans.append(Span(start: start, end: bytes.count, line: line)) }
        return spans
    }

    /// The elements of a top-level JSON array, or nil when the document is not one (or is
    /// broken: the server then reports where, on the whole file).
    static func arrayElements(_ bytes: [UInt8]) -> [Span]? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index]) {
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var elements: [Span] = []
        while true {
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return elements }
            let start = index, startLine = line
            guard let end = valueEnd(bytes, from: index, line: &line) else { return nil }
            elements.append(Span(start: start, end: end, line: startLine))
            index = end
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1 } else if bytes[index] != UInt8(ascii: "]") { return nil }
        }
    }

    /// Where the JSON value starting at `start` ends: brackets are counted outside strings.
    private static func valueEnd(_ bytes: [UInt8], from start: Int, line: inout Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                if !inString && depth == 0 { return index + 1 }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth < 0 { return index }
                    if depth == 0 { return index + 1 }
                case UInt8(ascii: ","), 0x20, 0x09, 0x0D, 0x0A:
                    if depth == 0 { return index }
                default: break
                }
            }
            index += 1
        }
        return depth == 0 && !inString ? index : nil
    }

    private static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
