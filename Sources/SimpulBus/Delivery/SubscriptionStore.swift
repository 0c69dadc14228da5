import SimpulLog
import SimpulMapping

/// The subscriptions, kept in the journal `journals/subscriptions`: one entry per change
/// (the whole subscription with its secret, or a deletion); the last entry of a name wins.
/// The file lives in the data directory, which must stay readable only by the service
/// user: signing secrets cannot be hashed, the bus needs them to sign. Safe from any task.
final class SubscriptionStore: Sendable {
    private let journal: Journal
    private let subscriptions: Locked<[String: Subscription]>

    init(log: Log, io: any StorageIO) throws {
        var options = log.options
        options.retention = .keepEverything
        options.segmentBytesMax = min(options.segmentBytesMax, 8 << 20)
        journal = try Journal.open(directory: log.journalsDirectory + "/subscriptions", options: options, io: io)
        var loaded: [String: Subscription] = [:]
        try journal.replay { record in
            if let deleted = Self.deletedName(record.value) {
                loaded[deleted] = nil
            } else {
                let subscription = try Subscription.load(record.value)
                loaded[subscription.name] = subscription
            }
        }
        subscriptions = Locked(loaded)
    }

    var all: [Subscription] { subscriptions.withLock { $0.values.sorted { $0.name < $1.name } } }

    func subscription(_ name: String) -> Subscription? { subscriptions.withLock { $0[name] } }

    /// Saves a new or changed subscription durably.
    func save(_ subscription: Subscription) async throws {
        try await journal.append(subscription.stored())
        subscriptions.withLock { $0[subscription.name] = subscription }
    }

    func delete(_ name: String) async throws {
        try await journal.append(JSONWriter.write(.object([("deleted", .string(name))])))
        subscriptions.withLock { $0[name] = nil }
    }

    private static func deletedName(_ bytes: [UInt8]) -> String? {
        guard bytes.starts(with: Array("{\"deleted\":".utf8)) else { return nil }
        return (try? JSONReader.parse(bytes))?["deleted"]?.stringValue
    }

    func close() async { await journal.close() }
}
