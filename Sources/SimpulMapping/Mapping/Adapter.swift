/// What every adapter tells the bus about itself.
public struct AdapterDescriptor: Sendable, Equatable {
    /// Folder name under `adapters/` (`population`).
    public var name: String
    public var description: String
    /// CloudEvent `source` (`/balikpapan/disdukcapil/siak`).
    public var source: String
    /// CloudEvent `type` (`city.population.person.upserted`).
    public var eventType: String
    /// Topic the events are appended to.
    public var topic: String
    /// CloudEvent `dataschema` (`schemas/person.v1.json`).
    public var schema: String
    /// Input formats accepted, in order of preference.
    public var formats: [InputFormat]
    /// Canonical path of the entity key (`nik`).
    public var key: String
    /// XML element that is one record (`surat`).
    public var recordElement: String
}

/// How events of one batch are stamped.
public struct EventOptions: Sendable {
    /// CloudEvent `time` for every event of the batch (RFC 3339).
    public var time: String
    /// The publisher's Idempotency-Key; used as the id of a one-record batch only (a
    /// batch's records each need their own id, so they are derived).
    public var idempotencyKey: String?

    public init(time: String, idempotencyKey: String? = nil) {
        self.time = time
        self.idempotencyKey = idempotencyKey
    }
}

/// One input record after mapping and validation.
public struct MappedRecord: Sendable {
    public enum Outcome: Sendable {
        case accepted(CloudEvent)
        case rejected([ValidationIssue])
    }

    /// 1-based position in the input (a CSV header row is not counted).
    public var position: Int
    /// 1-based line where the record starts, where the format knows it.
    public var line: Int
    public var outcome: Outcome

    public var isAccepted: Bool {
        if case .accepted = outcome { return true }
        return false
    }
}

/// A source system's adapter: reads its native payload and maps each record to a
/// canonical CloudEvent or to the reasons it was refused.
///
/// The declarative `DeclarativeAdapter` (an `adapter.json`) covers the built-in systems;
/// implement this protocol in Swift only for what the file language cannot express.
/// Implementations must be safe to call from any task.
public protocol Adapter: Sendable {
    var descriptor: AdapterDescriptor { get }
    /// Splits the native payload into records.
    func decode(_ bytes: [UInt8], format: InputFormat) throws(DecodeError) -> DecodedInput
    /// Maps every record of a batch; batch rules (duplicates) see the records in order.
    func map(_ input: DecodedInput, options: EventOptions) -> [MappedRecord]
}

extension Adapter {
    public func decode(_ bytes: [UInt8], format: InputFormat) throws(DecodeError) -> DecodedInput {
        try RecordDecoding.decode(bytes, format: format, xmlRecordElement: descriptor.recordElement)
    }

    /// The format to read a payload in: from the file name or the first byte, then
    /// preferring GeoJSON for a JSON FeatureCollection when the adapter accepts it.
    public func format(forFileName fileName: String?, bytes: [UInt8]) -> InputFormat {
        let detected = InputFormat.detect(fileName: fileName, bytes: bytes)
        if detected == .json, descriptor.formats.contains(.geojson), !descriptor.formats.contains(.json) { return .geojson }
        if detected == .json, descriptor.formats.contains(.geojson),
           bytes.firstOccurrence(of: Array("\"FeatureCollection\"".utf8)) != nil { return .geojson }
        return detected
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs (a plain scan; used once per payload).
    func firstOccurrence(of needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, needle.count <= count else { return nil }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<start + needle.count].elementsEqual(needle) { return start..<start + needle.count }
        }
        return nil
    }
}
