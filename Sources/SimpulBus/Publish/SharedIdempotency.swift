import SimpulLog
import SimpulMapping

/// Keys that every node of a cluster remembers alike for the idempotency window: the first
/// node to store a key wins, every later call (on any node) gets the first value back.
/// The bus only needs this seam; its JetStream implementation is `SharedKeys` (a NATS
/// key-value bucket), conformed in SimpulAPI so that SimpulBus never imports SimpulJetStream.
/// Errors should be `LogStoreError`s, so that an unreachable cluster answers 503.
public protocol SharedKeyMemory: Sendable {
    /// Stores `value` under `key` unless the key is there: nil when this call stored it,
    /// else the value stored first.
    func storeIfAbsent(_ key: String, value: [UInt8]) async throws -> [UInt8]?
    /// The value stored under `key`, nil when it is absent or its window has passed.
    func storedValue(of key: String) async throws -> [UInt8]?
    /// Why the shared state is out of reach now (readiness), nil while it answers.
    var unavailableReason: String? { get }
    func close() async
}

/// Event ids and batch Idempotency-Keys remembered across nodes (JetStream backend), so a
/// publisher may retry through any node: the same id or key is one event everywhere, and
/// the same id with other data is the same 409 everywhere. The node's own
/// `IdempotencyStore` stays in front as a cache of what this node saw.
///
/// Keys are `e_`/`r_` and the SHA-256 of the id or key: any text fits, at a fixed length.
/// Values are the lines of the idempotency journal (`IdempotencyCodec`).
struct SharedIdempotency: Sendable {
    let keys: any SharedKeyMemory
    /// A remembered batch answer larger than this is not shared (NATS refuses large
    /// messages); a retry through another node then still finds every event id, and
    /// answers them as duplicates.
    static let responseBytesMax = 512 << 10
    /// Lookups of one batch run this many at a time.
    static let concurrentLookups = 32

    func event(_ id: String) async throws -> EventLocation? {
        guard let value = try await keys.storedValue(of: Self.eventKey(id)) else { return nil }
        return Self.decodeEvent(value)
    }

    /// The locations of those of `ids` another node published, looked up a few at a time.
    func events(_ ids: [String]) async throws -> [String: EventLocation] {
        var found: [String: EventLocation] = [:]
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(ids.count, start + Self.concurrentLookups)]
            start += chunk.count
            try await withThrowingTaskGroup(of: (String, EventLocation?).self) { group in
                for id in chunk { group.addTask { (id, try await event(id)) } }
                for try await (id, location) in group { if let location { found[id] = location } }
            }
        }
        return found
    }

    /// Remembers events just appended; returns, for those another node remembered first,
    /// the location and data hash it remembered.
    func remember(_ events: [(id: String, location: EventLocation)]) async throws -> [String: EventLocation] {
        var earlier: [String: EventLocation] = [:]
        var start = 0
        while start < events.count {
            let chunk = events[start..<min(events.count, start + Self.concurrentLookups)]
            start += chunk.count
            try await withThrowingTaskGroup(of: (String, EventLocation?).self) { group in
                for event in chunk {
                    group.addTask {
                        let value = Array(IdempotencyCodec.eventLine(event.id, event.location).utf8)
                        guard let first = try await keys.storeIfAbsent(Self.eventKey(event.id), value: value) else {
                            return (event.id, nil)
                        }
                        return (event.id, Self.decodeEvent(first))
                    }
                }
                for try await (id, location) in group { if let location { earlier[id] = location } }
            }
        }
        return earlier
    }

    func request(_ key: String) async throws -> RememberedResponse? {
        guard let value = try await keys.storedValue(of: Self.requestKey(key)) else { return nil }
        var state = IdempotencyStore.State()
        IdempotencyCodec.apply(Substring(String(decoding: value, as: UTF8.self)), to: &state)
        return state.requests[key]
    }

    /// Remembers a batch answer, unless it is too large to share (see `responseBytesMax`).
    func remember(requestKey key: String, _ response: RememberedResponse) async throws {
        let value = Array(IdempotencyCodec.requestLine(key, response).utf8)
        guard value.count <= Self.responseBytesMax else { return }
        _ = try await keys.storeIfAbsent(Self.requestKey(key), value: value)
    }

    func close() async { await keys.close() }

    static func eventKey(_ id: String) -> String { "e_" + SHA256.hex(SHA256.hash(Array(id.utf8))) }
    static func requestKey(_ key: String) -> String { "r_" + SHA256.hex(SHA256.hash(Array(key.utf8))) }

    private static func decodeEvent(_ value: [UInt8]) -> EventLocation? {
        var state = IdempotencyStore.State()
        let line = String(decoding: value, as: UTF8.self)
        IdempotencyCodec.apply(Substring(line), to: &state)
        guard let id = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).dropFirst().first else { return nil }
        return state.events[IdempotencyCodec.unescape(String(id))]
    }
}
