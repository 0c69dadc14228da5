import SimpulMapping

/// The DLQ's summaries in memory, in the order they were dead-lettered, found by id: what
/// listing, counting and replay read without touching a journal. The embedded and the
/// shared DLQ each keep one, built from the same journal entries.
struct DeadLetterIndex {
    private var list: [DeadLetter] = []
    private var byID: [String: Int] = [:]

    subscript(id: String) -> DeadLetter? { byID[id].map { list[$0] } }

    /// Adds a summary, or replaces the one with its id (dead-lettered again).
    mutating func upsert(_ summary: DeadLetter) {
        if let index = byID[summary.id] {
            list[index] = summary
        } else {
            byID[summary.id] = list.count
            list.append(summary)
        }
    }

    mutating func setState(_ state: DeadLetter.State, replays: Int?, id: String) {
        guard let index = byID[id] else { return }
        list[index].state = state
        if let replays { list[index].replays = replays }
    }

    /// Every summary, in the order they were dead-lettered.
    var all: [DeadLetter] { list }

    /// Applies one journal entry: a full record at `offset`, a state record, or a summary
    /// from a shared DLQ's snapshot (its full record stays where `recordOffset` says).
    mutating func apply(_ json: JSONValue, offset: Int64) {
        if let summary = json["summary"], let decoded = Self.summary(summary) {
            upsert(decoded)
        } else if let full = DeadLetterStore.decodeRecord(json, offset: offset) {
            upsert(full.summary)
        } else if let id = json["id"]?.stringValue,
                  let state = json["state"]?.stringValue.flatMap(DeadLetter.State.init(rawValue:)) {
            setState(state, replays: json["replays"]?.intValue, id: id)
        }
    }

    /// The replay counts `ids` will have once their new state is recorded.
    func replayCounts(_ ids: [String], counting: Bool) -> [(id: String, replays: Int)] {
        ids.compactMap { id in self[id].map { (id, $0.replays + (counting ? 1 : 0)) } }
    }

    /// Entries newest first, after the entry `after` (a page cursor); and how many match in all.
    func page(_ filter: DeadLetterFilter, after: String?, limit: Int) -> (entries: [DeadLetter], total: Int) {
        var start = list.count - 1
        if let after, let index = byID[after] { start = index - 1 }
        var page: [DeadLetter] = []
        var total = 0
        for (index, entry) in list.enumerated().reversed() where filter.matches(entry) {
            total += 1
            if index <= start && page.count < limit { page.append(entry) }
        }
        return (page, total)
    }

    /// Dead (or replaying) entries per subscription.
    func counts() -> [String: Int] {
        list.reduce(into: [:]) { counts, entry in
            if entry.state != .delivered { counts[entry.subscription, default: 0] += 1 }
        }
    }

    /// A summary as a snapshot of the shared DLQ keeps it.
    static func summaryEntry(_ entry: DeadLetter) -> [UInt8] {
        JSONWriter.write(.object([("summary", .object([
            ("id", .string(entry.id)), ("subscription", .string(entry.subscription)), ("eventId", .string(entry.eventID)),
            ("type", .string(entry.type)), ("topic", .string(entry.topic)), ("partition", .int(entry.partition)),
            ("offset", .int(entry.offset)), ("deadLetteredAtMs", .int(entry.deadLetteredAtMs)),
            ("attemptCount", .int(entry.attemptCount)), ("lastStatus", entry.lastStatus.map { .int($0) } ?? .null),
            ("lastError", .optional(entry.lastError)), ("reason", .string(entry.reason)),
            ("state", .string(entry.state.rawValue)), ("replays", .int(entry.replays)), ("recordOffset", .int(entry.recordOffset)),
        ]))]))
    }

    static func summary(_ json: JSONValue) -> DeadLetter? {
        guard let id = json["id"]?.stringValue, let subscription = json["subscription"]?.stringValue,
              let eventID = json["eventId"]?.stringValue, let topic = json["topic"]?.stringValue,
              let partition = json["partition"]?.intValue, let offset = json["offset"]?.intValue,
              let at = json["deadLetteredAtMs"]?.intValue, let recordOffset = json["recordOffset"]?.intValue,
              let state = json["state"]?.stringValue.flatMap(DeadLetter.State.init(rawValue:)) else { return nil }
        return DeadLetter(id: id, subscription: subscription, eventID: eventID, type: json["type"]?.stringValue ?? "",
                          topic: topic, partition: partition, offset: Int64(offset), deadLetteredAtMs: Int64(at),
                          attemptCount: json["attemptCount"]?.intValue ?? 0, lastStatus: json["lastStatus"]?.intValue,
                          lastError: json["lastError"]?.stringValue, reason: json["reason"]?.stringValue ?? "", state: state,
                          replays: json["replays"]?.intValue ?? 0, recordOffset: Int64(recordOffset))
    }

    /// A state record of the journal.
    static func stateEntry(id: String, state: DeadLetter.State, replays: Int) -> [UInt8] {
        JSONWriter.write(.object([("id", .string(id)), ("state", .string(state.rawValue)), ("replays", .int(replays))]))
    }
}
