import SimpulLog

/// Where the quarantine keeps its entries and raw payloads: two journals in the data
/// directory (embedded), or two shared journals every node appends to and follows
/// (JetStream; implemented in SimpulAPI so that SimpulBus never imports SimpulJetStream).
/// Errors should be `LogError`s or `LogStoreError`s, so that the bus answers 503 or 507.
public protocol QuarantineJournal: Sendable {
    /// Appends the chunks of one payload; returns the offset each got, in order.
    func appendPayload(_ chunks: [[UInt8]]) async throws -> [Int64]
    /// `count` payload chunks from `offset` on.
    func readPayload(from offset: Int64, count: Int) async throws -> [[UInt8]]
    /// Appends entries (JSON: a new entry, or its whole new state after a change).
    func appendEntries(_ values: [[UInt8]]) async throws
    /// Hands every entry appended so far to `apply` before returning; a shared journal
    /// then keeps handing over those any node appends later, in order, until `close`.
    func follow(_ apply: @escaping @Sendable ([UInt8]) -> Void) async throws
    func close() async
}

/// The quarantine's journals in the data directory: `quarantine` and `quarantine-payloads`.
final class EmbeddedQuarantineJournal: QuarantineJournal {
    private let entries: Journal
    private let payloads: Journal

    init(log: Log, io: any StorageIO) throws {
        var options = log.options
        options.retention = .keepEverything
        entries = try Journal.open(directory: log.journalsDirectory + "/quarantine", options: options, io: io)
        payloads = try Journal.open(directory: log.journalsDirectory + "/quarantine-payloads", options: options, io: io)
    }

    func appendPayload(_ chunks: [[UInt8]]) async throws -> [Int64] {
        let first = try await payloads.append(entries: chunks)
        return (0..<chunks.count).map { first + Int64($0) }
    }

    func readPayload(from offset: Int64, count: Int) throws -> [[UInt8]] {
        try payloads.partition.read(from: offset, maxRecords: count, maxBytes: .max).map(\.value)
    }

    func appendEntries(_ values: [[UInt8]]) async throws { _ = try await entries.append(entries: values) }

    func replay(_ apply: ([UInt8]) -> Void) throws { try entries.replay { apply($0.value) } }

    func follow(_ apply: @escaping @Sendable ([UInt8]) -> Void) throws { try replay(apply) }

    func close() async {
        await entries.close()
        await payloads.close()
    }
}
