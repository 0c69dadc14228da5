import SimpulLog
import SimpulMapping

/// An event taken out of a subscription's forward flow: waiting for its next attempt, held
/// behind an earlier event of its key, or replayed from the DLQ. Persisting it lets the
/// subscription's cursor move past it, so a receiver that is down for a day does not make
/// a restart resend a day of events.
struct PendingDelivery: Sendable {
    var subscription: String
    var eventID: String
    var type: String
    var key: String?
    var topic: String
    var partition: Int
    var offset: Int64
    /// Set for a replay: the DLQ entry it came from.
    var deadLetterID: String?
    var event: [UInt8]
    var attempts: [DeliveryAttempt]
    /// Attempts made in the current schedule (a replay starts a fresh one).
    var scheduleAttempts: Int
    var dueMs: Int64
    /// When the event entered the log (for the oldest-undelivered age).
    var enqueuedMs: Int64

    var identity: String { Self.identity(subscription: subscription, deadLetterID: deadLetterID, topic: topic, partition: partition, offset: offset) }

    static func identity(subscription: String, deadLetterID: String?, topic: String, partition: Int, offset: Int64) -> String {
        subscription + "|" + (deadLetterID ?? "\(topic)/\(partition)/\(offset)")
    }

    var stored: JSONValue {
        .object([("subscription", .string(subscription)), ("eventId", .string(eventID)), ("type", .string(type)),
                 ("key", .optional(key)), ("topic", .string(topic)), ("partition", .int(partition)), ("offset", .int(offset)),
                 ("dlq", .optional(deadLetterID)), ("attempts", .array(attempts.map(\.stored))),
                 ("scheduleAttempts", .int(scheduleAttempts)), ("dueMs", .int(dueMs)), ("enqueuedMs", .int(enqueuedMs)),
                 ("event", (try? JSONReader.parse(event)) ?? .string(String(decoding: event, as: UTF8.self)))])
    }

    init(subscription: String, eventID: String, type: String, key: String?, topic: String, partition: Int, offset: Int64,
         deadLetterID: String?, event: [UInt8], attempts: [DeliveryAttempt], scheduleAttempts: Int, dueMs: Int64, enqueuedMs: Int64) {
        self.subscription = subscription
        self.eventID = eventID
        self.type = type
        self.key = key
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.deadLetterID = deadLetterID
        self.event = event
        self.attempts = attempts
        self.scheduleAttempts = scheduleAttempts
        self.dueMs = dueMs
        self.enqueuedMs = enqueuedMs
    }

    init?(stored json: JSONValue) {
        guard let subscription = json["subscription"]?.stringValue, let eventID = json["eventId"]?.stringValue,
              let topic = json["topic"]?.stringValue, let partition = json["partition"]?.intValue,
              let offset = json["offset"]?.intValue, let due = json["dueMs"]?.intValue, let event = json["event"] else { return nil }
        self.init(subscription: subscription, eventID: eventID, type: json["type"]?.stringValue ?? "",
                  key: json["key"]?.stringValue, topic: topic, partition: partition, offset: Int64(offset),
                  deadLetterID: json["dlq"]?.stringValue,
                  event: event.stringValue.map { Array($0.utf8) } ?? JSONWriter.write(event),
                  attempts: (json["attempts"]?.arrayValue ?? []).compactMap(DeliveryAttempt.init(stored:)),
                  scheduleAttempts: json["scheduleAttempts"]?.intValue ?? 0, dueMs: Int64(due),
                  enqueuedMs: Int64(json["enqueuedMs"]?.intValue ?? due))
    }
}

/// Pending deliveries of every subscription, in the journal `journals/delivery-pending`:
/// the whole entry on every change, `{"removed": identity}` when it is settled. Compacted
/// into a snapshot at open, before any append. Safe from any task.
final class PendingStore: Sendable {
    static let snapshotAfterEntries = 10_000
    private let journal: Journal
    /// What was pending at open, by subscription (handed to each worker once).
    private let loaded: Locked<[String: [PendingDelivery]]>

    init(log: Log, io: any StorageIO) async throws {
        var options = log.options
        options.retention = .keepEverything
        options.segmentBytesMax = min(options.segmentBytesMax, 16 << 20)
        journal = try Journal.open(directory: log.journalsDirectory + "/delivery-pending", options: options, io: io)
        var live: [String: PendingDelivery] = [:]
        var order: [String] = []
        func apply(_ json: JSONValue) {
            if let removed = json["removed"]?.stringValue {
                live[removed] = nil
            } else if let entry = PendingDelivery(stored: json) {
                if live[entry.identity] == nil { order.append(entry.identity) }
                live[entry.identity] = entry
            }
        }
        if let snapshot = journal.snapshot, case .array(let items)? = try? JSONReader.parse(snapshot.state) {
            items.forEach(apply)
        }
        var replayed = 0
        try journal.replay { record in
            replayed += 1
            if let json = try? JSONReader.parse(record.value) { apply(json) }
        }
        let entries = order.compactMap { live[$0] }
        if replayed >= Self.snapshotAfterEntries {
            try await journal.writeSnapshot(JSONWriter.write(.array(entries.map(\.stored))),
                                            nextOffset: journal.partition.endOffset)
        }
        loaded = Locked(Dictionary(grouping: entries, by: \.subscription))
    }

    /// The entries of `subscription` found at open; later calls get nothing.
    func takeLoaded(_ subscription: String) -> [PendingDelivery] {
        loaded.withLock { $0.removeValue(forKey: subscription) ?? [] }
    }

    func save(_ entries: [PendingDelivery]) async throws {
        guard !entries.isEmpty else { return }
        try await journal.append(entries: entries.map { JSONWriter.write($0.stored) })
    }

    func remove(_ identities: [String]) async throws {
        guard !identities.isEmpty else { return }
        try await journal.append(entries: identities.map { JSONWriter.write(.object([("removed", .string($0))])) })
    }

    /// Entries written to the journal so far (saves and removals).
    var entriesWritten: Int64 { journal.partition.endOffset }

    func close() async { await journal.close() }
}
