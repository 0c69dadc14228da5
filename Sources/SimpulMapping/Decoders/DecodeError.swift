/// Why an input could not be read as records, and where.
///
/// Positions are 1-based. `column` counts bytes from the start of the line (the
/// position an editor shows for ASCII input); `record` is the record's 1-based position
/// in the input when the failure belongs to one record (a CSV header row is not counted).
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input format that was being read.
    public var format: InputFormat
    /// 1-based line of the failure.
    public var line: Int
    /// 1-based byte column within `line`, when meaningful.
    public var column: Int?
    /// 1-based record position, when the failure belongs to one record.
    public var record: Int?
    /// What was wrong and, where it helps, what to do.
    public var message: String

    public init(format: InputFormat, line: Int, column: Int? = nil, record: Int? = nil, message: String) {
        self.format = format
        self.line = line
        self.column = column
        self.record = record
        self.message = message
    }

    public var description: String {
        var place = "\(format.rawValue) input, line \(line)"
        if let column { place += ", column \(column)" }
        if let record { place += " (record \(record))" }
        return "\(place): \(message)"
    }
}

/// The limits every decoder enforces, so that one hostile or broken export cannot
/// exhaust memory or the stack. Each one fails with a `DecodeError` that names it.
public enum DecodeLimits {
    /// Deepest nesting of arrays/objects (JSON) or elements (XML); the readers recurse.
    public static let nestingDepthMax = 256
    /// Longest line of a line-oriented format (CSV, NDJSON), in bytes.
    public static let lineBytesMax = 1 << 20
    /// Most records one input may hold.
    public static let recordCountMax = 2_000_000
    /// Largest input accepted, in bytes.
    public static let inputBytesMax = 512 << 20
}

/// Computes a 1-based line and column for a byte offset; used only when building an
/// error, so the hot path never counts lines.
enum ByteLocator {
    static func locate(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        var index = 0
        while index < end {
            if bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return (line, end - lineStart + 1)
    }
}
