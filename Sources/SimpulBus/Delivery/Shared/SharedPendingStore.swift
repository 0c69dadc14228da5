import SimpulLog
import SimpulMapping

/// Pending deliveries in the shared journal `delivery-pending`, entries as in the embedded
/// `PendingStore` (the whole entry per change, `{"removed": identity}` when settled). Every
/// node follows it and keeps what is pending in memory, so the node that takes a partition
/// over also takes its retries. A replay asked on any node is appended with `"replay":
/// true`; `onReplay` hands it to the engine of every node, and the partition's owner
/// delivers it. Safe from any task.
final class SharedPendingStore: PendingJournal {
    private let journal: FollowedJournal
    private let live = Locked<[String: PendingDelivery]>([:])
    private let listener = Locked<Listener<PendingDelivery>?>(nil)

    init(shared: SharedDelivery) async throws {
        journal = FollowedJournal(log: try await shared.journal("delivery-pending", nil), name: "delivery-pending",
                                  snapshotAfter: shared.snapshotAfterEntries)
        try await journal.start(JournalView(apply: { [live, listener] _, value in
            guard let json = try? JSONReader.parse(value) else { return }
            if let removed = json["removed"]?.stringValue {
                live.withLock { $0[removed] = nil }
            } else if let entry = PendingDelivery(stored: json) {
                live.withLock { $0[entry.identity] = entry }
                if json["replay"]?.boolValue == true { listener.withLock { $0 }?.call(entry) }
            }
        }, reset: { [live] in
            live.withLock { $0 = [:] }
        }, snapshot: { [live] in
            // Without "replay": a replay is handed over once, when it is appended.
            live.withLock { $0.values.sorted { $0.identity < $1.identity }.map { JSONWriter.write($0.stored) } }
        }))
    }

    /// Every pending entry in this node's view (tests compare nodes with it).
    var all: [PendingDelivery] { live.withLock { $0.values.sorted { $0.identity < $1.identity } } }

    /// Called with each replay any node asks for, once this node's view holds it.
    func onReplay(_ handler: @escaping @Sendable (PendingDelivery) -> Void) { listener.withLock { $0 = Listener(call: handler) } }

    /// Pending entries stay in the view (another node may take the partition over later).
    func takeLoaded(_ subscription: String, owned: (_ topic: String, _ partition: Int) -> Bool) -> [PendingDelivery] {
        live.withLock { $0.values.filter { $0.subscription == subscription && owned($0.topic, $0.partition) } }
    }

    /// Returns once this node's view holds every entry appended so far (by any node).
    func catchUp() async throws {
        try await journal.waitApplied(try await journal.log.endOffset())
    }

    func save(_ entries: [PendingDelivery]) async throws {
        try await journal.append(entries.map { JSONWriter.write($0.stored) })
    }

    /// Saves replays of dead letters: the owner of each partition picks them up.
    func saveReplays(_ entries: [PendingDelivery]) async throws {
        try await journal.append(entries.map { entry in
            guard case .object(var object) = entry.stored else { return JSONWriter.write(entry.stored) }
            object["replay"] = .bool(true)
            return JSONWriter.write(.object(object))
        })
    }

    func remove(_ identities: [String]) async throws {
        try await journal.append(identities.map { JSONWriter.write(.object([("removed", .string($0))])) })
    }

    func close() async { await journal.close() }
}
