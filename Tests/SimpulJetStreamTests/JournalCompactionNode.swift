import Foundation
import SimpulAPI
@testable import SimpulBus
import SimpulJetStream
import SimpulLog
import SimpulMapping

/// The shared pending and subscription journals of one node, as the bus opens them,
/// compacted after `snapshotAfter` entries.
struct JournalCompactionNode {
    let shared: JetStreamSharedDelivery
    let pending: SharedPendingStore
    let subscriptions: SharedSubscriptionStore
    let deadLetters: SharedDeadLetterStore
    /// The pending journal as this node follows it (can be cut off from the cluster).
    let pendingLog: PausableLog

    static func open(_ settings: JetStreamSettings, snapshotAfter: Int) async throws -> JournalCompactionNode {
        let shared = try await JetStreamSharedDelivery(settings: settings, holder: "node-\(UUID().uuidString.prefix(8))")
        let pendingLog = Locked<PausableLog?>(nil)
        var delivery = SharedDelivery(journal: { name, maxAgeHours in
            let log = PausableLog(try await shared.delivery.journal(name, maxAgeHours))
            if name == "delivery-pending" { pendingLog.withLock { $0 = log } }
            return log
        }, leases: shared.delivery.leases)
        delivery.snapshotAfterEntries = snapshotAfter
        let pending = try await SharedPendingStore(shared: delivery)
        let subscriptions = try await SharedSubscriptionStore(shared: delivery)
        let deadLetters = try await SharedDeadLetterStore(shared: delivery)
        guard let log = pendingLog.withLock({ $0 }) else { throw BusError.storage("the pending journal was not opened") }
        return JournalCompactionNode(shared: shared, pending: pending, subscriptions: subscriptions, deadLetters: deadLetters,
                                     pendingLog: log)
    }

    /// What this node knows: every pending entry and every subscription, as stored.
    var view: View { View(pending: pending.all.map { JSONWriter.write($0.stored) }, subscriptions: subscriptions.all.map { $0.stored() }) }

    struct View: Equatable {
        var pending: [[UInt8]]
        var subscriptions: [[UInt8]]
        var pendingEventIDs: [String] {
            pending.compactMap { (try? JSONReader.parse($0))?["eventId"]?.stringValue }.sorted()
        }
    }

    func close() async {
        await pending.close()
        await subscriptions.close()
        await deadLetters.close()
        await shared.close()
    }

    static func entry(_ eventID: String, attempt: Int = 0) -> PendingDelivery {
        // FNV-1a: a distinct offset per event id (the entry's identity includes it).
        let hash = eventID.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let number = Int64(hash & 0x7FFF_FFFF_FFFF)
        return PendingDelivery(subscription: "sink", eventID: eventID, type: "city.population.person.upserted", key: "key-\(eventID)",
                               topic: "city.population.person", partition: Int(number % 4), offset: number, deadLetterID: nil,
                               event: JSONWriter.write(.object([("id", .string(eventID)), ("nik", .string("3171\(number)"))])),
                               attempts: [], scheduleAttempts: attempt, dueMs: 1_700_000_000_000 + Int64(attempt), enqueuedMs: 1)
    }

    /// Every dead letter this node lists, delivered ones included, oldest first.
    var deadLetterListing: [DeadLetter] {
        deadLetters.list(DeadLetterFilter(states: [.dead, .replaying, .delivered]), after: nil, limit: 10_000).entries.reversed()
    }

    static func deadLetter(_ id: String, attempts: Int) -> DeadLetterRecord {
        let tries = (1...attempts).map { DeliveryAttempt(attempt: $0, atMs: 1_700_000_000_000 + Int64($0), status: 503, error: nil, durationMs: 12) }
        let summary = DeadLetter(id: id, subscription: "sink", eventID: "evt-\(id)", type: "city.population.person.upserted",
                                 topic: "city.population.person", partition: 1, offset: 7, deadLetteredAtMs: 1_700_000_000_000,
                                 attemptCount: attempts, lastStatus: 503, lastError: nil, reason: "retries exhausted",
                                 state: .dead, replays: 0, recordOffset: 0)
        return DeadLetterRecord(summary: summary, event: JSONWriter.write(.object([("id", .string("evt-\(id)"))])), key: nil,
                                attempts: tries)
    }

    static func subscription(_ name: String, version: Int) throws -> Subscription {
        try Subscription.load(JSONWriter.write(.object([
            ("name", .string(name)), ("topics", .array([.string("city.population.person")])),
            ("url", .string("http://127.0.0.1:9/hook/\(version)")),
        ])))
    }
}

/// A journal whose following can be cut off and resumed from the next entry it has not
/// handed over, as libnats' ordered consumer does after a reconnect.
final class PausableLog: SharedDeliveryLog {
    private let base: any SharedDeliveryLog
    /// A struct, not a tuple: a closure in a tuple behind the generic lock gets wrapped in
    /// one more thunk at every access (a stack overflow once 50,000 deep).
    private struct Following {
        var apply: (@Sendable (Int64, [UInt8]) -> Void)?
        var next: Int64
    }

    private let following = Locked(Following(apply: nil, next: 0))

    init(_ base: any SharedDeliveryLog) { self.base = base }

    func append(_ entries: [[UInt8]]) async throws -> Int64 { try await base.append(entries) }
    func read(at offset: Int64) async throws -> [UInt8]? { try await base.read(at: offset) }
    func endOffset() async throws -> Int64 { try await base.endOffset() }
    func keptOffsets() async throws -> Range<Int64> { try await base.keptOffsets() }
    func latestSnapshot() async throws -> SharedLogSnapshot? { try await base.latestSnapshot() }
    func writeSnapshot(_ snapshot: SharedLogSnapshot, unlessCovering minimumCovers: Int64) async throws -> SharedLogSnapshotOutcome {
        try await base.writeSnapshot(snapshot, unlessCovering: minimumCovers)
    }

    func follow(from offset: Int64, _ apply: @escaping @Sendable (Int64, [UInt8]) -> Void) async throws {
        following.withLock { $0 = Following(apply: apply, next: offset) }
        try await base.follow(from: offset) { [following] offset, value in
            following.withLock { $0.next = offset + 1 }
            apply(offset, value)
        }
    }

    func stop() async { await base.stop() }

    /// Cut off: nothing more is handed over until `resume`.
    func pause() async { await base.stop() }

    /// Follows again from the next entry not handed over yet.
    func resume() async throws {
        let current = following.withLock { $0 }
        guard let apply = current.apply else { return }
        try await follow(from: current.next, apply)
    }

    var nextOffset: Int64 { following.withLock { $0.next } }
}
