import SimpulMapping

// The seam between the delivery engine and where its journals live: the embedded stores
// (files in the data directory, one node) or the shared ones (`Shared/`, every node of a
// JetStream cluster follows the same journals). The engine and workers see only these.

/// The subscriptions, by name; the last change of a name wins.
protocol SubscriptionJournal: Sendable {
    var all: [Subscription] { get }
    func subscription(_ name: String) -> Subscription?
    /// Saves a new or changed subscription durably; it is in `all` when this returns.
    func save(_ subscription: Subscription) async throws
    /// Saves a new subscription unless one of that name exists (shared: unless another
    /// node's create of the name came first in the journal); false when it was not saved.
    func create(_ subscription: Subscription) async throws -> Bool
    func delete(_ name: String) async throws
    func close() async
}

/// Deliveries taken out of the forward flow (retries, held events, replays).
protocol PendingJournal: Sendable {
    /// The entries of `subscription` a worker starting now takes over: with shared
    /// journals, only those of the partitions `owned` says this node delivers.
    func takeLoaded(_ subscription: String, owned: (_ topic: String, _ partition: Int) -> Bool) -> [PendingDelivery]
    func save(_ entries: [PendingDelivery]) async throws
    func remove(_ identities: [String]) async throws
    func close() async
}

/// The dead-letter queue: summaries in memory, full records on demand.
protocol DeadLetterJournal: Sendable {
    func add(_ records: [DeadLetterRecord]) async throws
    func setState(_ state: DeadLetter.State, ids: [String], countReplay: Bool) async throws
    func summary(_ id: String) -> DeadLetter?
    func record(_ id: String) async throws -> DeadLetterRecord?
    func list(_ filter: DeadLetterFilter, after: String?, limit: Int) -> (entries: [DeadLetter], total: Int)
    func counts() -> [String: Int]
    func close() async
}

/// The audit trail of every attempt; never blocks delivery.
protocol AttemptRecorder: Sendable {
    func record(subscription: String, eventID: String, attempt: DeliveryAttempt)
    func enforceRetention() async throws
    func close() async
}

extension SubscriptionStore: SubscriptionJournal {
    /// One node: the engine already checked the name under its actor.
    func create(_ subscription: Subscription) async throws -> Bool {
        try await save(subscription)
        return true
    }
}
extension DeadLetterStore: DeadLetterJournal {}
extension AttemptJournal: AttemptRecorder {}
extension PendingStore: PendingJournal {
    /// One node delivers everything: every entry is its own.
    func takeLoaded(_ subscription: String, owned: (_ topic: String, _ partition: Int) -> Bool) -> [PendingDelivery] {
        takeLoaded(subscription)
    }
}

extension DeliveryContext {
    /// Entries the embedded journals wrote so far (tests and benches); -1 when shared.
    var attemptsWritten: Int64 { (attempts as? AttemptJournal)?.written ?? -1 }
    var pendingEntriesWritten: Int64 { (pending as? PendingStore)?.entriesWritten ?? -1 }
}
