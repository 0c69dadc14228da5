/// One entry point over all decoders.
public enum RecordDecoding {
    /// Decodes `bytes` in `format`.
    /// - Parameter xmlRecordElement: the element that is one record in XML inputs.
    public static func decode(_ bytes: [UInt8], format: InputFormat, xmlRecordElement: String = "record") throws(DecodeError) -> DecodedInput {
        switch format {
        case .json: return try JSONRecordDecoder.decodeJSON(bytes)
        case .geojson: return try JSONRecordDecoder.decodeGeoJSON(bytes)
        case .ndjson: return try JSONRecordDecoder.decodeNDJSON(bytes)
        case .csv: return try CSVDecoder.decode(bytes)
        case .xml: return try XMLRecordDecoder.decode(bytes, recordElement: xmlRecordElement)
        }
    }
}
