import Logging
import SimpulLog
import SimpulMapping

/// Every delivery attempt — time, subscription, event, status, error, duration — in the
/// journal `journals/delivery-attempts`, kept for `retentionHours` (an audit trail; the
/// DLQ keeps the history of the events that failed for good).
///
/// Attempts are buffered and appended in batches by one background task, so the journal
/// costs one durable append per batch, not one per attempt; the buffer is bounded, and an
/// attempt that cannot be written is counted and logged, never blocking delivery.
/// Safe from any task.
final class AttemptJournal: Sendable {
    static let retentionHours: Int64 = 7 * 24
    private let journal: Journal
    private let buffer: AttemptBuffer

    init(log: Log, logger: Logger, io: any StorageIO) throws {
        var options = log.options
        options.retention = RetentionPolicy(maxAgeMs: Self.retentionHours * 3_600_000, maxBytes: nil)
        options.segmentBytesMax = min(options.segmentBytesMax, 16 << 20)
        let journal = try Journal.open(directory: log.journalsDirectory + "/delivery-attempts", options: options, io: io)
        self.journal = journal
        buffer = AttemptBuffer(write: { try await journal.append(entries: $0) }, failed: { lines, error in
            logger.error("cannot write delivery attempts to the journal", metadata: ["attempts": "\(lines)", "error": "\(error)"])
        })
    }

    func record(subscription: String, eventID: String, attempt: DeliveryAttempt) {
        buffer.add(Self.line(subscription: subscription, eventID: eventID, attempt: attempt))
    }

    /// One attempt as a JSON line. Written by hand, not through JSONValue: this runs for every attempt.
    static func line(subscription: String, eventID: String, attempt: DeliveryAttempt) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(160 + eventID.utf8.count + (attempt.error?.utf8.count ?? 0))
        line += Array("{\"subscription\":".utf8)
        JSONWriter.writeString(subscription, into: &line)
        line += Array(",\"eventId\":".utf8)
        JSONWriter.writeString(eventID, into: &line)
        line += Array(",\"attempt\":\(attempt.attempt),\"atMs\":\(attempt.atMs),\"status\":".utf8)
        line += Array((attempt.status.map(String.init) ?? "null").utf8)
        line += Array(",\"error\":".utf8)
        if let error = attempt.error { JSONWriter.writeString(error, into: &line) } else { line += Array("null".utf8) }
        line += Array(",\"durationMs\":\(attempt.durationMs)}".utf8)
        return line
    }

    /// Attempts written so far (journal entries).
    var written: Int64 { journal.partition.endOffset }

    /// Deletes attempts older than the retention.
    func enforceRetention() async throws { _ = try await journal.partition.enforceRetention() }

    /// Attempts that did not fit the buffer (a journal that cannot keep up).
    var dropped: Int { buffer.dropped }

    func close() async {
        await buffer.waitUntilWritten()
        _ = try? await journal.partition.enforceRetention()
        await journal.close()
    }
}
