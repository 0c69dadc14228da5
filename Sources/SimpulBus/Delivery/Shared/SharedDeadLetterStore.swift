import SimpulLog
import SimpulMapping

/// The DLQ in the shared journal `dlq`, entries as in the embedded `DeadLetterStore` (a
/// full record per dead letter, a small state record per replay or delivery). Every node
/// follows it and keeps the summaries in memory, so an entry written on one node is
/// listed and replayed on any; the full record is read from the journal on demand.
/// Safe from any task.
final class SharedDeadLetterStore: DeadLetterJournal {
    private let journal: FollowedJournal
    private let entries = Locked(DeadLetterIndex())

    init(shared: SharedDelivery) async throws {
        journal = FollowedJournal(log: try await shared.journal("dlq", nil), name: "dlq", snapshotAfter: shared.snapshotAfterEntries)
        try await journal.start(JournalView(apply: { [entries] offset, value in
            guard let json = try? JSONReader.parse(value) else { return }
            entries.withLock { $0.apply(json, offset: offset) }
        }, reset: { [entries] in
            entries.withLock { $0 = DeadLetterIndex() }
        }, snapshot: { [entries] in
            entries.withLock { $0.all.map(DeadLetterIndex.summaryEntry) }
        }, purgesCovered: false))
    }

    func add(_ records: [DeadLetterRecord]) async throws {
        try await journal.append(records.map { JSONWriter.write(DeadLetterStore.encode($0)) })
    }

    func setState(_ state: DeadLetter.State, ids: [String], countReplay: Bool) async throws {
        let updates = entries.withLock { $0.replayCounts(ids, counting: countReplay) }
        try await journal.append(updates.map { DeadLetterIndex.stateEntry(id: $0.id, state: state, replays: $0.replays) })
    }

    func summary(_ id: String) -> DeadLetter? {
        entries.withLock { $0[id] }
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
        entries.withLock { $0.page(filter, after: after, limit: limit) }
    }

    func counts() -> [String: Int] {
        entries.withLock { $0.counts() }
    }

    func close() async { await journal.close() }
}
