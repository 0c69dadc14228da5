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
    static let bufferMax = 100_000
    static let retentionHours: Int64 = 7 * 24
    private let journal: Journal
    private let logger: Logger
    private let state = Locked<(buffer: [[UInt8]], flushing: Bool, dropped: Int)>(([], false, 0))

    init(log: Log, logger: Logger, io: any StorageIO) throws {
        var options = log.options
        options.retention = RetentionPolicy(maxAgeMs: Self.retentionHours * 3_600_000, maxBytes: nil)
        options.segmentBytesMax = min(options.segmentBytesMax, 16 << 20)
        journal = try Journal.open(directory: log.journalsDirectory + "/delivery-attempts", options: options, io: io)
        self.logger = logger
    }

    func record(subscription: String, eventID: String, attempt: DeliveryAttempt) {
        let line = Self.line(subscription: subscription, eventID: eventID, attempt: attempt)
        let startFlush = state.withLock { state -> Bool in
            guard state.buffer.count < Self.bufferMax else {
                state.dropped += 1
                return false
            }
            state.buffer.append(line)
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if startFlush { Task { await flush() } }
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

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [[UInt8]] in
                let taken = state.buffer
                state.buffer = []
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                try await journal.append(entries: batch)
            } catch {
                logger.error("cannot write delivery attempts to the journal", metadata: [
                    "attempts": "\(batch.count)", "error": "\(error)"])
            }
        }
    }

    /// Attempts written so far (journal entries).
    var written: Int64 { journal.partition.endOffset }

    /// Deletes attempts older than the retention.
    func enforceRetention() async throws { _ = try await journal.partition.enforceRetention() }

    /// Attempts that did not fit the buffer (a journal that cannot keep up).
    var dropped: Int { state.withLock { $0.dropped } }

    func close() async {
        while state.withLock({ $0.flushing }) { try? await Task.sleep(for: .milliseconds(5)) }
        _ = try? await journal.partition.enforceRetention()
        await journal.close()
    }
}
