import Foundation
import Logging
import SimpulDelivery
import SimpulLog
import SimpulMapping

/// Outbound delivery (DESIGN.md Delivery): the subscriptions, one worker per subscription,
/// the pending and dead-letter journals, and replay. Subscription changes are serialised
/// on this actor; the workers deliver concurrently.
public actor DeliveryEngine {
    nonisolated let context: DeliveryContext
    let store: any SubscriptionJournal
    var workers: [String: (worker: DeliveryWorker, task: Task<Void, Never>)] = [:]
    /// Names being created (their journal entry is on its way).
    private var reserved: Set<String> = []
    var started = false
    /// With shared journals: the lease loop's tasks, and the workers waiting to restart.
    var sharedTasks: [Task<Void, Never>] = []
    var restartsDue: Set<String> = []
    /// Per subscription, the partitions lost since its worker last restarted (handed over
    /// once the worker settled them), and the subscriptions whose worker restarts now.
    var leasesLost: [String: Set<String>] = [:]
    var restarting: Set<String> = []
    nonisolated let scanInterval: Duration

    /// Opens the journals in `log` (the data directory), or with `shared` the cluster's
    /// shared journals and partition leases; reads events and keeps cursors in `store`.
    init(log: Log, store topics: any LogStore, sender: any AsyncDeliveryTransport, settings: DeliverySettings,
         pseudonymKey: [UInt8], logger: Logger, io: any StorageIO, shared: SharedDelivery? = nil) async throws {
        let journals = try await DeliveryJournalSet(log: log, shared: shared, logger: logger, io: io)
        store = journals.subscriptions
        scanInterval = shared?.scanInterval ?? .seconds(1)
        let engine = Locked<DeliveryEngine?>(nil)
        context = DeliveryContext(
            store: topics, pending: journals.pending, deadLetters: journals.deadLetters,
            attempts: journals.attempts, sender: sender, settings: settings,
            pseudonymKey: pseudonymKey, ops: OpsEvents(store: topics, logger: logger), logger: logger,
            pause: { name, reason in await engine.withLock { $0 }?.pause(name, reason: reason) },
            leases: shared?.leases)
        engine.withLock { $0 = self }
        journals.listen(engine)
    }

    /// Starts a worker for every subscription (and, with shared journals, the lease loop).
    public func start() {
        guard !started else { return }
        started = true
        for subscription in store.all { startWorker(subscription) }
        startSharing()
    }

    func startWorker(_ subscription: Subscription) {
        guard workers[subscription.name] == nil else { return }
        let worker = DeliveryWorker(subscription: subscription, context: context)
        workers[subscription.name] = (worker, Task { await worker.run() })
    }

    // MARK: subscriptions

    public nonisolated var subscriptions: [Subscription] { store.all }

    public nonisolated func subscription(_ name: String) throws -> Subscription {
        guard let found = store.subscription(name) else { throw BusError.notFound(what: "subscription", id: name) }
        return found
    }

    /// Creates a subscription from a request body; it receives events published from now on.
    /// - Returns: the subscription (its secret is shown to the creator only).
    public func create(_ body: JSONValue) async throws -> Subscription {
        let subscription = try Subscription.create(from: body)
        guard store.subscription(subscription.name) == nil, !reserved.contains(subscription.name) else {
            throw BusError.conflict(code: "subscription_exists",
                                    message: "a subscription named \"\(subscription.name)\" exists; choose another name or PATCH it")
        }
        reserved.insert(subscription.name)
        defer { reserved.remove(subscription.name) }
        try await startAtEnd(subscription.name, topics: subscription.topics)
        guard try await store.create(subscription) else {
            throw BusError.conflict(code: "subscription_exists",
                                    message: "a subscription named \"\(subscription.name)\" was just created through another node; choose another name or PATCH it")
        }
        if started, store.subscription(subscription.name) != nil { startWorker(subscription) }
        return subscription
    }

    /// Creates or updates the subscriptions of the config file (at start).
    public func configure(_ bodies: [JSONValue]) async throws {
        for body in bodies {
            let wanted = try Subscription.create(from: body)
            if let existing = store.subscription(wanted.name) {
                var patch = body
                if case .object(var object) = patch {
                    object["name"] = nil
                    object["secret"] = nil
                    patch = .object(object)
                }
                var updated = try existing.patched(with: patch)
                if body["secret"] != nil { updated.secret = wanted.secret }
                if updated != existing { try await save(updated) }
            } else {
                _ = try await create(body)
            }
        }
    }

    public func update(_ name: String, patch: JSONValue) async throws -> Subscription {
        let existing = try subscription(name)
        let updated = try existing.patched(with: patch)
        try await startAtEnd(name, topics: updated.topics.filter { !existing.topics.contains($0) })
        try await save(updated)
        return updated
    }

    public func setPaused(_ name: String, _ paused: Bool, reason: String? = nil) async throws -> Subscription {
        var updated = try subscription(name)
        updated.paused = paused
        updated.pausedReason = paused ? (reason ?? "paused by an admin") : nil
        try await save(updated)
        return updated
    }

    public func delete(_ name: String) async throws {
        _ = try subscription(name)
        try await store.delete(name)
        if let shared = context.pending as? SharedPendingStore {
            // Whichever node held its partitions, its pending entries go with it.
            try await shared.remove(shared.takeLoaded(name, owned: { _, _ in true }).map(\.identity))
        }
        if let (worker, task) = workers.removeValue(forKey: name) {
            await worker.stop()
            await task.value
            try await context.pending.remove(await worker.persistedIdentities)
        }
    }

    func pause(_ name: String, reason: String) async {
        do {
            _ = try await setPaused(name, true, reason: reason)
            await context.ops.emit(.subscriptionPaused, subscription: name, data: [("reason", .string(reason))])
        } catch {
            context.logger.error("cannot pause a failing subscription", metadata: ["subscription": "\(name)", "error": "\(error)"])
        }
    }

    private func save(_ subscription: Subscription) async throws {
        try await store.save(subscription)
        await workers[subscription.name]?.worker.update(subscription)
    }

    /// A new subscription (or a topic added to one) starts at the end of what is there now.
    private func startAtEnd(_ name: String, topics: [String]) async throws {
        for topic in topics {
            guard let topicName = try? TopicName(topic), let count = try await context.store.partitionCount(topicName) else { continue }
            for index in 0..<count {
                let end = try await context.store.summary(topic: topicName, partition: index).endOffset
                try await context.store.commitPosition(end, consumer: "delivery:" + name, topic: topicName, partition: index)
            }
        }
    }

    /// The state of a subscription's delivery: breaker, counters, lag.
    public func state(_ name: String) async -> JSONValue {
        let dlq = context.deadLetters.counts()[name] ?? 0
        guard let worker = workers[name]?.worker else {
            return .object([("breaker", .string("closed")), ("delivered", .int(0)), ("failed", .int(0)), ("retried", .int(0)),
                            ("dlq", .int(dlq)), ("lag", .int(0)), ("oldestUndeliveredAgeMs", .null)])
        }
        let snapshot = await worker.snapshot(nowMs: currentTimeMs())
        return .object([
            ("breaker", .string(snapshot.breaker.rawValue)), ("delivered", .int(snapshot.counters.delivered)),
            ("failed", .int(snapshot.counters.failed)), ("retried", .int(snapshot.counters.retried)), ("dlq", .int(dlq)),
            ("lag", .int(snapshot.lag)), ("inFlight", .int(snapshot.inFlight)),
            ("oldestUndeliveredAgeMs", snapshot.oldestUndeliveredAgeMs.map { .int($0) } ?? .null),
        ])
    }

    /// Every worker's snapshot, for `/metrics`.
    func snapshots() async -> [(Subscription, DeliverySnapshot)] {
        var result: [(Subscription, DeliverySnapshot)] = []
        let now = currentTimeMs()
        for subscription in store.all {
            if let worker = workers[subscription.name]?.worker { result.append((subscription, await worker.snapshot(nowMs: now))) }
        }
        return result
    }

    // MARK: dead letters

    public nonisolated func deadLetters(_ filter: DeadLetterFilter, after: String?, limit: Int) -> (entries: [DeadLetter], total: Int) {
        context.deadLetters.list(filter, after: after, limit: limit)
    }

    /// A dead letter with its event and every attempt.
    public nonisolated func deadLetter(_ id: String) async throws -> (summary: DeadLetter, event: [UInt8], attempts: [DeliveryAttempt]) {
        guard let record = try await context.deadLetters.record(id) else { throw BusError.notFound(what: "DLQ entry", id: id) }
        return (record.summary, record.event, record.attempts)
    }

    public nonisolated func deadLetterCounts() -> [String: Int] { context.deadLetters.counts() }

    /// Puts dead letters back on a fresh schedule with their original event ids.
    public func replay(ids: [String]?, filter: DeadLetterFilter?, dryRun: Bool, force: Bool) async throws -> ReplayReport {
        var report = ReplayReport(dryRun: dryRun)
        var candidates: [String] = ids ?? []
        if ids == nil, var filter {
            if force { filter.states = Set(DeadLetter.State.allCases) } else { filter.states = [.dead] }
            candidates = context.deadLetters.list(filter, after: nil, limit: .max).entries.map(\.id)
        }
        var eligible: [String: [DeadLetterRecord]] = [:]
        for id in candidates {
            guard let summary = context.deadLetters.summary(id) else {
                report.add(id, .failed, "no DLQ entry with this id")
                continue
            }
            guard summary.state == .dead || force else {
                report.add(id, .skipped, "already \(summary.state.rawValue); use force to replay it again")
                continue
            }
            // With shared journals the partition's holder (on any node) takes the replay from
            // the journal: no local worker is needed, and one restarting for a lease change
            // is no sign that the subscription is gone.
            guard store.subscription(summary.subscription) != nil,
                  workers[summary.subscription] != nil || !started || context.pending is SharedPendingStore else {
                report.add(id, .failed, "subscription \"\(summary.subscription)\" no longer exists")
                continue
            }
            if dryRun {
                report.add(id, .replayed, nil)
                continue
            }
            guard let record = try await context.deadLetters.record(id) else { continue }
            eligible[summary.subscription, default: []].append(record)
        }
        let now = currentTimeMs()
        for (name, records) in eligible {
            let entries = records.map { record in
                PendingDelivery(
                    subscription: name, eventID: record.summary.eventID, type: record.summary.type, key: record.key,
                    topic: record.summary.topic, partition: record.summary.partition, offset: record.summary.offset,
                    deadLetterID: record.summary.id, event: record.event, attempts: record.attempts, scheduleAttempts: 0,
                    dueMs: now, enqueuedMs: now)
            }
            if let shared = context.pending as? SharedPendingStore {
                // The partition's owner, on whichever node, takes them from the journal.
                try await context.deadLetters.setState(.replaying, ids: entries.compactMap(\.deadLetterID), countReplay: true)
                try await shared.saveReplays(entries)
            } else {
                try await context.pending.save(entries)
                try await context.deadLetters.setState(.replaying, ids: entries.compactMap(\.deadLetterID), countReplay: true)
                await workers[name]?.worker.accept(replays: entries)
            }
            for entry in entries { report.add(entry.deadLetterID ?? "", .replayed, nil) }
        }
        return report
    }

    /// Applies the attempt journal's retention (the bus's maintenance calls it).
    public nonisolated func enforceRetention() async throws { try await context.attempts.enforceRetention() }

    /// Stops every worker (in-flight attempts finish) and closes the journals.
    public func close() async {
        stopSharing()
        started = false  // a restart already on its way starts nothing now
        for (_, entry) in workers {
            await entry.worker.stop()
            await entry.task.value
            await entry.worker.drain()
        }
        workers = [:]
        // Given up only now, so that no other node starts while an answer is recorded here.
        await context.leases?.stop(releasing: true)
        await store.close()
        await context.pending.close()
        await context.deadLetters.close()
        await context.attempts.close()
    }
}

/// The answer to a replay: what happened to each entry.
public struct ReplayReport: Sendable {
    public enum Result: String, Sendable { case replayed, skipped, failed }

    public var dryRun: Bool
    public var results: [(id: String, result: Result, reason: String?)] = []

    public init(dryRun: Bool) { self.dryRun = dryRun }

    mutating func add(_ id: String, _ result: Result, _ reason: String?) { results.append((id, result, reason)) }

    public func count(_ result: Result) -> Int { results.filter { $0.result == result }.count }
}
