import SimpulLog
import SimpulMapping

/// The subscriptions in the shared journal `subscriptions`, entries as in the embedded
/// `SubscriptionStore` (the whole subscription per change, `{"deleted": name}`). Every
/// node follows it, so a subscription created, changed or deleted on one node is seen by
/// all; `onChange` tells the engine which name changed. Safe from any task.
final class SharedSubscriptionStore: SubscriptionJournal {
    private let journal: FollowedJournal
    private let subscriptions = Locked<[String: Subscription]>([:])
    private let listener = Locked<Listener<String>?>(nil)

    init(shared: SharedDelivery) async throws {
        journal = FollowedJournal(log: try await shared.journal("subscriptions", nil), name: "subscriptions",
                                  snapshotAfter: shared.snapshotAfterEntries)
        try await journal.start(JournalView(apply: { [subscriptions, listener] _, value in
            let name: String
            if value.starts(with: Array("{\"deleted\":".utf8)), let deleted = (try? JSONReader.parse(value))?["deleted"]?.stringValue {
                name = deleted
                subscriptions.withLock { $0[deleted] = nil }
            } else if value.starts(with: Array("{\"create\":".utf8)) {
                // A create of a name that exists lost to an earlier one: every node skips it.
                guard let inner = (try? JSONReader.parse(value))?["create"],
                      let subscription = try? Subscription.load(JSONWriter.write(inner)) else { return }
                let applied = subscriptions.withLock { current -> Bool in
                    guard current[subscription.name] == nil else { return false }
                    current[subscription.name] = subscription
                    return true
                }
                guard applied else { return }
                name = subscription.name
            } else if let subscription = try? Subscription.load(value) {
                name = subscription.name
                subscriptions.withLock { $0[subscription.name] = subscription }
            } else {
                return  // written by a newer version: skipped rather than stopping the node
            }
            listener.withLock { $0 }?.call(name)
        }, reset: { [subscriptions, listener] in
            // Rebuilt from a snapshot next: the engine looks at every name again.
            let names = subscriptions.withLock { current in
                defer { current = [:] }
                return Array(current.keys)
            }
            if let notify = listener.withLock({ $0 }) { names.forEach(notify.call) }
        }, snapshot: { [subscriptions] in
            subscriptions.withLock { $0.values.sorted { $0.name < $1.name }.map { $0.stored() } }
        }))
    }

    /// Called with a subscription's name after any node changed it (this one included).
    func onChange(_ handler: @escaping @Sendable (String) -> Void) { listener.withLock { $0 = Listener(call: handler) } }

    var all: [Subscription] { subscriptions.withLock { $0.values.sorted { $0.name < $1.name } } }

    func subscription(_ name: String) -> Subscription? { subscriptions.withLock { $0[name] } }

    func save(_ subscription: Subscription) async throws {
        try await journal.append([subscription.stored()])
    }

    /// Two nodes creating one name at once both append; the first in the journal wins on
    /// every node, and the other learns it here (its subscription is not the one kept).
    func create(_ subscription: Subscription) async throws -> Bool {
        try await journal.append([Array("{\"create\":".utf8) + subscription.stored() + [UInt8(ascii: "}")]])
        return self.subscription(subscription.name) == subscription
    }

    func delete(_ name: String) async throws {
        try await journal.append([JSONWriter.write(.object([("deleted", .string(name))]))])
    }

    func close() async { await journal.close() }
}
