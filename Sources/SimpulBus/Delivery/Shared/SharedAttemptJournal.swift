import Logging
import SimpulLog

/// Attempts in the shared journal `delivery-attempts`, dropped by the cluster after the
/// retention. Lines are written as in the embedded `AttemptJournal`, but a whole batch
/// (up to `entryBytesMax`) goes in one journal entry: one cluster round trip per batch,
/// not per attempt. Read on demand, never followed. Safe from any task.
final class SharedAttemptJournal: AttemptRecorder {
    static let entryBytesMax = 256 << 10
    private let log: any SharedDeliveryLog
    private let logger: Logger
    private let state = Locked<(buffer: [[UInt8]], flushing: Bool, dropped: Int)>(([], false, 0))

    init(shared: SharedDelivery, logger: Logger) async throws {
        log = try await shared.journal("delivery-attempts", AttemptJournal.retentionHours)
        self.logger = logger
    }

    func record(subscription: String, eventID: String, attempt: DeliveryAttempt) {
        let line = AttemptJournal.line(subscription: subscription, eventID: eventID, attempt: attempt)
        let startFlush = state.withLock { state -> Bool in
            guard state.buffer.count < AttemptJournal.bufferMax else {
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

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [[UInt8]] in
                let taken = state.buffer
                state.buffer = []
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            var entries: [[UInt8]] = [[]]
            for line in batch {
                if let last = entries.last, !last.isEmpty, last.count + line.count >= Self.entryBytesMax { entries.append([]) }
                if !entries[entries.count - 1].isEmpty { entries[entries.count - 1].append(UInt8(ascii: "\n")) }
                entries[entries.count - 1] += line
            }
            do {
                _ = try await log.append(entries)
            } catch {
                logger.error("cannot write delivery attempts to the shared journal", metadata: [
                    "attempts": "\(batch.count)", "error": "\(error)"])
            }
        }
    }

    /// The cluster drops old entries itself (the stream's max age).
    func enforceRetention() async throws {}

    func close() async {
        while state.withLock({ $0.flushing }) { try? await Task.sleep(for: .milliseconds(5)) }
        await log.stop()
    }
}
