/// The native formats an adapter can read.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
    /// A JSON object (one record) or array (one record per element).
    case json
    /// One JSON value per line.
    case ndjson
    /// A header row then records; `,` or `;` separated.
    case csv
    /// An XML document; records are the configured record element.
    case xml
    /// A GeoJSON FeatureCollection; records are its features.
    case geojson

    /// Picks a format from a file name's extension, falling back to the first
    /// meaningful byte (`<` XML, `{`/`[` JSON, anything else CSV).
    public static func detect(fileName: String?, bytes: [UInt8]) -> InputFormat {
        if let fileName, let dot = fileName.lastIndex(of: ".") {
            switch fileName[fileName.index(after: dot)...].lowercased() {
            case "csv": return .csv
            case "xml": return .xml
            case "ndjson", "jsonl": return .ndjson
            case "geojson": return .geojson
            case "json": return .json
            default: break
            }
        }
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A
            || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
        guard index < bytes.count else { return .csv }
        switch bytes[index] {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        default: return .csv
        }
    }
}

/// One record read from an input, before mapping.
public struct SourceRecord: Sendable {
    /// The record as a JSON tree (CSV: an object of strings keyed by the header).
    public var value: JSONValue
    /// 1-based position in the input (a CSV header row is not counted).
    public var position: Int
    /// 1-based line where the record starts.
    public var line: Int

    public init(value: JSONValue, position: Int, line: Int) {
        self.value = value
        self.position = position
        self.line = line
    }
}

/// Everything a decoder read from one input: the records and the document root, which
/// rules may consult (`$root.crs…` of a FeatureCollection).
public struct DecodedInput: Sendable {
    public var format: InputFormat
    public var records: [SourceRecord]
    /// The whole document for tree formats; `.null` for CSV and NDJSON.
    public var root: JSONValue

    public init(format: InputFormat, records: [SourceRecord], root: JSONValue = .null) {
        self.format = format
        self.records = records
        self.root = root
    }
}
