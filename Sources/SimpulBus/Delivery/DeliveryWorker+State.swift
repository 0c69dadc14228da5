import SimpulLog
import SimpulMapping

extension DeliveryWorker {
    /// Takes replayed DLQ entries (already saved as pending): each starts a fresh schedule.
    func accept(replays: [PendingDelivery]) {
        for entry in replays { add(DeliveryJob(entry: entry, inWindow: false, persisted: true)) }
        wake.signal()
    }

    /// What `GET /v1/subscriptions/{name}` and `/v1/stats` show of this worker.
    func snapshot(nowMs: Int64) async -> DeliverySnapshot {
        var lag = jobs.count
        var oldest = jobs.values.map(\.entry.enqueuedMs).min()
        for window in windows.values {
            guard let name = try? TopicName(window.topic),
                  let partition = try? await context.store.summary(topic: name, partition: window.partition) else { continue }
            let unread = Int(max(0, partition.endOffset - window.nextRead))
            lag += unread
            if unread > 0, let record = try? await context.store.read(topic: name, partition: window.partition,
                                                                      from: window.nextRead, maxRecords: 1, maxBytes: 1).first {
                oldest = min(oldest ?? record.timestampMs, record.timestampMs)
            }
        }
        return DeliverySnapshot(
            breaker: breaker.state, counters: counters, lag: lag, inFlight: inFlight,
            oldestUndeliveredAgeMs: oldest.map { max(0, nowMs - $0) })
    }
}

/// A worker's state at one moment.
struct DeliverySnapshot: Sendable {
    var breaker: CircuitBreaker.State
    var counters: DeliveryCounters
    var lag: Int
    var inFlight: Int
    var oldestUndeliveredAgeMs: Int64?
}
