import SimpulLog
import SimpulMapping

/// An event a subscription gave up on, with why and every attempt.
public struct DeadLetter: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// In the DLQ, waiting for an admin.
        case dead
        /// Replayed: back on a fresh retry schedule.
        case replaying
        /// A replay reached the receiver; the entry has left the DLQ.
        case delivered
    }

    public var id: String
    public var subscription: String
    public var eventID: String
    public var type: String
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var deadLetteredAtMs: Int64
    public var attemptCount: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var reason: String
    public var state: State
    public var replays: Int
    /// Where the entry's full record (event and attempts) lies in the journal.
    var recordOffset: Int64

    public var json: JSONValue {
        .object([("id", .string(id)), ("subscription", .string(subscription)), ("eventId", .string(eventID)),
                 ("type", .string(type)), ("topic", .string(topic)), ("partition", .int(partition)), ("offset", .int(offset)),
                 ("deadLetteredAt", .string(Timestamp.rfc3339(milliseconds: deadLetteredAtMs))),
                 ("attemptCount", .int(attemptCount)), ("lastStatus", lastStatus.map { .int($0) } ?? .null),
                 ("lastError", .optional(lastError)), ("reason", .string(reason)), ("state", .string(state.rawValue)),
                 ("replays", .int(replays))])
    }
}

/// The full record of a dead letter: the event as it was in the log (unredacted: the
/// field policy applies again on replay) and the attempt history.
struct DeadLetterRecord: Sendable {
    var summary: DeadLetter
    var event: [UInt8]
    var key: String?
    var attempts: [DeliveryAttempt]
}

/// Which dead letters a listing or a bulk replay means.
public struct DeadLetterFilter: Sendable {
    public var subscription: String?
    public var sinceMs: Int64?
    public var untilMs: Int64?
    /// An HTTP status; `.some(nil)` means attempts that got no response.
    public var lastStatus: Int??
    /// nil: dead and replaying (what is in the DLQ).
    public var states: Set<DeadLetter.State>?

    public init(subscription: String? = nil, sinceMs: Int64? = nil, untilMs: Int64? = nil, lastStatus: Int?? = nil,
                states: Set<DeadLetter.State>? = nil) {
        self.subscription = subscription
        self.sinceMs = sinceMs
        self.untilMs = untilMs
        self.lastStatus = lastStatus
        self.states = states
    }

    func matches(_ entry: DeadLetter) -> Bool {
        if let subscription, entry.subscription != subscription { return false }
        if let sinceMs, entry.deadLetteredAtMs < sinceMs { return false }
        if let untilMs, entry.deadLetteredAtMs > untilMs { return false }
        if let lastStatus, entry.lastStatus != lastStatus { return false }
        return (states ?? [.dead, .replaying]).contains(entry.state)
    }
}

/// The dead-letter queue, in the journal `journals/dlq`: a full record when an event is
/// dead-lettered (again), a small state record when it is replayed or delivered. Summaries
/// stay in memory (a listing of 100,000 entries reads no file); the event and attempts
/// are read from the journal on demand. Safe from any task.
final class DeadLetterStore: Sendable {
    private let journal: Journal
    private let entries: Locked<DeadLetterIndex>

    init(log: Log, io: any StorageIO) throws {
        var options = log.options
        options.retention = .keepEverything
        journal = try Journal.open(directory: log.journalsDirectory + "/dlq", options: options, io: io)
        var index = DeadLetterIndex()
        try journal.replay { record in
            guard let json = try? JSONReader.parse(record.value) else { return }
            index.apply(json, offset: record.offset)
        }
        entries = Locked(index)
    }

    /// Stores dead letters (new, or again after a failed replay) durably.
    func add(_ records: [DeadLetterRecord]) async throws {
        guard !records.isEmpty else { return }
        let first = try await journal.append(entries: records.map { JSONWriter.write(Self.encode($0)) })
        entries.withLock { entries in
            for (index, record) in records.enumerated() {
                var summary = record.summary
                summary.recordOffset = first + Int64(index)
                entries.upsert(summary)
            }
        }
    }

    /// Records new states (replaying, delivered) durably.
    func setState(_ state: DeadLetter.State, ids: [String], countReplay: Bool) async throws {
        let updates = entries.withLock { $0.replayCounts(ids, counting: countReplay) }
        guard !updates.isEmpty else { return }
        try await journal.append(entries: updates.map { DeadLetterIndex.stateEntry(id: $0.id, state: state, replays: $0.replays) })
        entries.withLock { entries in
            for update in updates { entries.setState(state, replays: update.replays, id: update.id) }
        }
    }

    func summary(_ id: String) -> DeadLetter? {
        entries.withLock { $0[id] }
    }

    /// The full record, read from the journal.
    func record(_ id: String) throws -> DeadLetterRecord? {
        guard let summary = summary(id) else { return nil }
        guard let stored = try journal.partition.read(from: summary.recordOffset, maxRecords: 1, maxBytes: 1).first,
              let json = try? JSONReader.parse(stored.value), var record = Self.decodeRecord(json, offset: stored.offset) else {
            throw BusError.storage("the DLQ journal lost the record of \(id); run `simpul log verify`")
        }
        record.summary = summary
        return record
    }

    /// Entries newest first, after the entry `after` (a page cursor); and how many match in all.
    func list(_ filter: DeadLetterFilter, after: String?, limit: Int) -> (entries: [DeadLetter], total: Int) {
        entries.withLock { $0.page(filter, after: after, limit: limit) }
    }

    /// Dead (or replaying) entries per subscription.
    func counts() -> [String: Int] {
        entries.withLock { $0.counts() }
    }

    static func encode(_ record: DeadLetterRecord) -> JSONValue {
        let summary = record.summary
        return .object([
            ("id", .string(summary.id)), ("subscription", .string(summary.subscription)), ("eventId", .string(summary.eventID)),
            ("type", .string(summary.type)), ("topic", .string(summary.topic)), ("partition", .int(summary.partition)),
            ("offset", .int(summary.offset)), ("deadLetteredAtMs", .int(summary.deadLetteredAtMs)),
            ("reason", .string(summary.reason)), ("state", .string(summary.state.rawValue)), ("replays", .int(summary.replays)),
            ("key", .optional(record.key)), ("attempts", .array(record.attempts.map(\.stored))),
            ("event", (try? JSONReader.parse(record.event)) ?? .string(String(decoding: record.event, as: UTF8.self))),
        ])
    }

    static func decodeRecord(_ json: JSONValue, offset: Int64) -> DeadLetterRecord? {
        guard let id = json["id"]?.stringValue, let subscription = json["subscription"]?.stringValue,
              let eventID = json["eventId"]?.stringValue, let topic = json["topic"]?.stringValue,
              let partition = json["partition"]?.intValue, let eventOffset = json["offset"]?.intValue,
              let at = json["deadLetteredAtMs"]?.intValue, let event = json["event"] else { return nil }
        let attempts = (json["attempts"]?.arrayValue ?? []).compactMap(DeliveryAttempt.init(stored:))
        let summary = DeadLetter(
            id: id, subscription: subscription, eventID: eventID, type: json["type"]?.stringValue ?? "", topic: topic,
            partition: partition, offset: Int64(eventOffset), deadLetteredAtMs: Int64(at), attemptCount: attempts.count,
            lastStatus: attempts.last?.status, lastError: attempts.last?.error, reason: json["reason"]?.stringValue ?? "",
            state: json["state"]?.stringValue.flatMap(DeadLetter.State.init(rawValue:)) ?? .dead,
            replays: json["replays"]?.intValue ?? 0, recordOffset: offset)
        let eventBytes = event.stringValue.map { Array($0.utf8) } ?? JSONWriter.write(event)
        return DeadLetterRecord(summary: summary, event: eventBytes, key: json["key"]?.stringValue, attempts: attempts)
    }

    func close() async { await journal.close() }
}
