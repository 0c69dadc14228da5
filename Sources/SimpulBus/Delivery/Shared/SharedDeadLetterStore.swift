import SimpulLog
import SimpulMapping

/// The DLQ in the shared journal `dlq`, entries as in the embedded `DeadLetterStore` (a
/// full record per dead letter, a small state record per replay or delivery). Every node
/// follows it and keeps the summaries in memory, so an entry written on one node is
/// listed and replayed on any; the full record is read from the journal on demand.
/// Safe from any task.
final class SharedDeadLetterStore: DeadLetterJournal {
    private let journal: FollowedJournal
    private let entries = Locked<(byID: [String: Int], list: [DeadLetter])>(([:], []))

    init(shared: SharedDelivery) async throws {
        journal = FollowedJournal(log: try await shared.journal("dlq", nil), name: "dlq")
        try await journal.start { [entries] offset, value in
            guard let json = try? JSONReader.parse(value) else { return }
            entries.withLock { entries in
                if let full = DeadLetterStore.decodeRecord(json, offset: offset) {
                    if let index = entries.byID[full.summary.id] { entries.list[index] = full.summary } else {
                        entries.byID[full.summary.id] = entries.list.count
                        entries.list.append(full.summary)
                    }
                } else if let id = json["id"]?.stringValue, let index = entries.byID[id],
                          let state = json["state"]?.stringValue.flatMap(DeadLetter.State.init(rawValue:)) {
                    entries.list[index].state = state
                    if let replays = json["replays"]?.intValue { entries.list[index].replays = replays }
                }
            }
        }
    }

    func add(_ records: [DeadLetterRecord]) async throws {
        try await journal.append(records.map { JSONWriter.write(DeadLetterStore.encode($0)) })
    }

    func setState(_ state: DeadLetter.State, ids: [String], countReplay: Bool) async throws {
        let updates: [(String, Int)] = entries.withLock { entries in
            ids.compactMap { id in entries.byID[id].map { (id, entries.list[$0].replays + (countReplay ? 1 : 0)) } }
        }
        try await journal.append(updates.map { id, replays in
            JSONWriter.write(.object([("id", .string(id)), ("state", .string(state.rawValue)), ("replays", .int(replays))]))
        })
    }

    func summary(_ id: String) -> DeadLetter? {
        entries.withLock { entries in entries.byID[id].map { entries.list[$0] } }
    }

    func record(_ id: String) async throws -> DeadLetterRecord? {
        guard let summary = summary(id) else { return nil }
        guard let stored = try await journal.log.read(at: summary.recordOffset), let json = try? JSONReader.parse(stored),
              var record = DeadLetterStore.decodeRecord(json, offset: summary.recordOffset) else {
            throw BusError.storage("the shared DLQ journal lost the record of \(id) (its stream was changed outside Simpul)")
        }
        record.summary = summary
        return record
    }

    func list(_ filter: DeadLetterFilter, after: String?, limit: Int) -> (entries: [DeadLetter], total: Int) {
        entries.withLock { entries in
            var start = entries.list.count - 1
            if let after, let index = entries.byID[after] { start = index - 1 }
            var page: [DeadLetter] = []
            var total = 0
            for (index, entry) in entries.list.enumerated().reversed() where filter.matches(entry) {
                total += 1
                if index <= start && page.count < limit { page.append(entry) }
            }
            return (page, total)
        }
    }

    func counts() -> [String: Int] {
        entries.withLock { entries in
            entries.list.reduce(into: [:]) { counts, entry in
                if entry.state != .delivered { counts[entry.subscription, default: 0] += 1 }
            }
        }
    }

    func close() async { await journal.close() }
}
