import Logging
import SimpulLog

/// Attempts in the shared journal `delivery-attempts`, dropped by the cluster after the
/// retention. Lines are written as in the embedded `AttemptJournal`, but a whole batch
/// (up to `entryBytesMax`) goes in one journal entry: one cluster round trip per batch,
/// not per attempt. Read on demand, never followed. Safe from any task.
final class SharedAttemptJournal: AttemptRecorder {
    static let entryBytesMax = 256 << 10
    private let log: any SharedDeliveryLog
    private let buffer: AttemptBuffer

    init(shared: SharedDelivery, logger: Logger) async throws {
        let log = try await shared.journal("delivery-attempts", AttemptJournal.retentionHours)
        self.log = log
        buffer = AttemptBuffer(write: { _ = try await log.append(Self.entries($0)) }, failed: { lines, error in
            logger.error("cannot write delivery attempts to the shared journal", metadata: ["attempts": "\(lines)", "error": "\(error)"])
        })
    }

    func record(subscription: String, eventID: String, attempt: DeliveryAttempt) {
        buffer.add(AttemptJournal.line(subscription: subscription, eventID: eventID, attempt: attempt))
    }

    /// Lines joined by newlines into entries of at most about `entryBytesMax`.
    private static func entries(_ lines: [[UInt8]]) -> [[UInt8]] {
        var entries: [[UInt8]] = [[]]
        for line in lines {
            if let last = entries.last, !last.isEmpty, last.count + line.count >= entryBytesMax { entries.append([]) }
            if !entries[entries.count - 1].isEmpty { entries[entries.count - 1].append(UInt8(ascii: "\n")) }
            entries[entries.count - 1] += line
        }
        return entries
    }

    /// The cluster drops old entries itself (the stream's max age).
    func enforceRetention() async throws {}

    func close() async {
        await buffer.waitUntilWritten()
        await log.stop()
    }
}
