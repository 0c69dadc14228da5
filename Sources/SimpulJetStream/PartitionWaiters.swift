import Foundation
import SimpulLog

/// The readers and delivery workers waiting for a partition to grow, served by one poller
/// per partition: however many wait (long polls, one wake-up per subscription), the cluster
/// is asked for the partition's end at most every 10 ms while it is busy and every 100 ms
/// after a quiet second — not once per waiter.
final class PartitionWaiters: @unchecked Sendable {
    struct Key: Hashable {
        var topic: TopicName
        var partition: Int
    }

    private struct Waiter {
        var after: Int64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }

    static let busyInterval: Duration = .milliseconds(10)
    static let idleInterval: Duration = .milliseconds(100)

    private let lock = NSLock()
    private var waiting: [Key: [Waiter]] = [:]
    /// Partitions with a poller running; it leaves this set, under the lock, only when no
    /// one waits, so a new waiter always has exactly one poller.
    private var polled: Set<Key> = []

    /// Waits until `endOffset` reports more than `offset`, or `deadline`; starts the
    /// partition's poller when it has none.
    func wait(_ key: Key, after offset: Int64, until deadline: ContinuousClock.Instant,
              endOffset: @escaping @Sendable (Key) async throws -> Int64) async -> Bool {
        await withCheckedContinuation { continuation in
            let startPoller = lock.withLock { () -> Bool in
                waiting[key, default: []].append(Waiter(after: offset, deadline: deadline, continuation: continuation))
                return polled.insert(key).inserted
            }
            if startPoller { Task { await self.poll(key, endOffset: endOffset) } }
        }
    }

    /// Asks for the end until no one waits; a failed look-up (the cluster out of reach)
    /// only lets the waiters run into their deadlines.
    private func poll(_ key: Key, endOffset: @escaping @Sendable (Key) async throws -> Int64) async {
        var lastGrowth = ContinuousClock.now
        var lastEnd: Int64?
        while true {
            let end = try? await endOffset(key)
            let now = ContinuousClock.now
            if let end, end != lastEnd {
                if lastEnd != nil { lastGrowth = now }
                lastEnd = end
            }
            let done: [Waiter]? = lock.withLock {
                guard let all = waiting[key] else { return nil }
                let (finished, open) = all.reduce(into: ([Waiter](), [Waiter]())) { split, waiter in
                    if (end.map { $0 > waiter.after } ?? false) || now >= waiter.deadline {
                        split.0.append(waiter)
                    } else {
                        split.1.append(waiter)
                    }
                }
                waiting[key] = open.isEmpty ? nil : open
                return finished
            }
            for waiter in done ?? [] { waiter.continuation.resume(returning: end.map { $0 > waiter.after } ?? false) }
            let nextDeadline: ContinuousClock.Instant? = lock.withLock {
                guard let next = waiting[key]?.map(\.deadline).min() else {
                    polled.remove(key)
                    return nil
                }
                return next
            }
            guard let nextDeadline else { return }
            let interval = now - lastGrowth < .seconds(1) ? Self.busyInterval : Self.idleInterval
            try? await Task.sleep(for: max(.zero, min(interval, nextDeadline - ContinuousClock.now)))
        }
    }
}
