/// Splits JSON, NDJSON and GeoJSON inputs into records.
public enum JSONRecordDecoder {
    /// A JSON object is one record; an array is one record per element.
    public static func decodeJSON(_ bytes: [UInt8]) throws(DecodeError) -> DecodedInput {
        try checkSize(bytes, format: .json)
        let (root, lines) = try JSONReader.parseWithElementLines(bytes)
        switch root {
        case .array(let elements):
            try checkCount(elements.count, format: .json)
            let records = elements.enumerated().map { SourceRecord(value: $1, position: $0 + 1, line: lines[$0]) }
            return DecodedInput(format: .json, records: records, root: root)
        case .object:
            return DecodedInput(format: .json, records: [SourceRecord(value: root, position: 1, line: 1)], root: root)
        default:
            throw DecodeError(format: .json, line: 1, column: 1,
                              message: "expected a JSON object (one record) or an array of records")
        }
    }

    /// A GeoJSON FeatureCollection: each feature is a record; the collection is the root.
    public static func decodeGeoJSON(_ bytes: [UInt8]) throws(DecodeError) -> DecodedInput {
        try checkSize(bytes, format: .geojson)
        let (root, lines) = try JSONReader.parseWithElementLines(bytes, member: "features")
        guard root["type"]?.stringValue == "FeatureCollection", case .array(let features)? = root["features"] else {
            throw DecodeError(format: .geojson, line: 1, column: 1,
                              message: "expected a GeoJSON FeatureCollection with a \"features\" array")
        }
        try checkCount(features.count, format: .geojson)
        let records = features.enumerated().map {
            SourceRecord(value: $1, position: $0 + 1, line: $0 < lines.count ? lines[$0] : 1)
        }
        return DecodedInput(format: .geojson, records: records, root: root)
    }

    /// One JSON value per non-blank line.
    public static func decodeNDJSON(_ bytes: [UInt8]) throws(DecodeError) -> DecodedInput {
        try checkSize(bytes, format: .ndjson)
        let result: Result<[SourceRecord], DecodeError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DecodeError) -> [SourceRecord] in try splitLines(buffer) }
        }
        return DecodedInput(format: .ndjson, records: try result.get())
    }

    private static func splitLines(_ buffer: UnsafeBufferPointer<UInt8>) throws(DecodeError) -> [SourceRecord] {
        var records: [SourceRecord] = []
        var lineStart = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 1
        while lineStart < buffer.count {
            var lineEnd = lineStart
            while lineEnd < buffer.count, buffer[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd - lineStart > DecodeLimits.lineBytesMax {
                throw DecodeError(format: .ndjson, line: lineNumber, record: records.count + 1,
                                  message: "line is \(lineEnd - lineStart) bytes; the limit is \(DecodeLimits.lineBytesMax) (DecodeLimits.lineBytesMax)")
            }
            let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                do {
                    let value = try JSONReader.parse(line, format: .ndjson, lineOffset: lineNumber - 1)
                    records.append(SourceRecord(value: value, position: records.count + 1, line: lineNumber))
                } catch {
                    var located = error
                    located.record = records.count + 1
                    throw located
                }
                try checkCount(records.count, format: .ndjson)
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return records
    }

    static func checkSize(_ bytes: [UInt8], format: InputFormat) throws(DecodeError) {
        if bytes.count > DecodeLimits.inputBytesMax {
            throw DecodeError(format: format, line: 1, message:
                "input is \(bytes.count) bytes; the limit is \(DecodeLimits.inputBytesMax) (DecodeLimits.inputBytesMax); split the file")
        }
    }

    static func checkCount(_ count: Int, format: InputFormat) throws(DecodeError) {
        if count > DecodeLimits.recordCountMax {
            throw DecodeError(format: format, line: 1, message:
                "more than \(DecodeLimits.recordCountMax) records (DecodeLimits.recordCountMax); split the file")
        }
    }
}
