import SimpulLog
import SimpulMapping

/// The publish path's questions to the idempotency memory shared by the nodes of a
/// cluster (JetStream backend); with the embedded log `sharedIdempotency` is nil and each
/// answer is the node's own `IdempotencyStore`'s, with no suspension.
extension Bus {
    /// A batch answer remembered under `key`, by this node or another.
    func rememberedRequest(_ key: String) async throws -> RememberedResponse? {
        if let local = idempotency.request(key) { return local }
        guard let shared = sharedIdempotency else { return nil }
        return try await wrapStorage { try await shared.request(key) }
    }

    /// Where event `id` was published, by this node or another.
    func rememberedEvent(_ id: String) async throws -> EventLocation? {
        if let local = idempotency.event(id) { return local }
        guard let shared = sharedIdempotency else { return nil }
        return try await wrapStorage { try await shared.event(id) }
    }

    /// The accepted events of `mapped` that this node does not know and another node
    /// published within the window.
    func publishedElsewhere(_ mapped: [MappedRecord]) async throws -> [String: EventLocation] {
        guard let shared = sharedIdempotency else { return [:] }
        var unknown: [String] = []
        var asked: Set<String> = []
        for record in mapped {
            if case .accepted(let event) = record.outcome, idempotency.event(event.id) == nil,
               asked.insert(event.id).inserted {
                unknown.append(event.id)
            }
        }
        if unknown.isEmpty { return [:] }
        return try await wrapStorage { try await shared.events(unknown) }
    }

    /// Remembers for every node the events just appended to one partition at consecutive
    /// offsets from `first`. Another node may have published the same id between our
    /// look-up and our append (JetStream then kept its copy, answering with its offset):
    /// its entry wins, and the answer becomes its duplicate, or a conflict when its data
    /// differs.
    func rememberShared(_ items: [(index: Int, hash: String)], in mapped: [MappedRecord], first: Int64, at key: PartitionKey,
                        nowMs: Int64, results: inout [PublishResult.Record?]) async throws {
        guard let shared = sharedIdempotency else { return }
        var events: [(id: String, location: EventLocation)] = []
        var indexOf: [String: (index: Int, hash: String)] = [:]
        for (number, item) in items.enumerated() {
            guard case .accepted(let event) = mapped[item.index].outcome else { continue }
            events.append((event.id, EventLocation(topic: key.topic, partition: key.partition, offset: first + Int64(number),
                                                   dataHash: item.hash, timeMs: nowMs)))
            indexOf[event.id] = item
        }
        let earlier = try await wrapStorage { try await shared.remember(events) }
        var corrections: [(id: String, location: EventLocation)] = []
        for (id, location) in earlier {
            guard let item = indexOf[id] else { continue }
            let position = mapped[item.index].position
            results[item.index] = location.dataHash == item.hash
                ? .published(record: position, id: id, topic: location.topic, partition: location.partition,
                             offset: location.offset, duplicate: true)
                : .conflict(record: position, id: id)
            corrections.append((id, location))
        }
        idempotency.remember(events: corrections)
    }
}
