/// Keys remembered once across all nodes for a window: the first node to remember a key
/// stores its value, every later one (on any node) gets that value back.
///
/// This is what shared idempotency needs: an `Idempotency-Key` or event id seen by one
/// node is a duplicate on every other until the window passes. Keys live in a NATS
/// key-value bucket (default `simpul_idempotency`) whose entries the server removes
/// `window` after they were written (JetStream `max_age`); a key is stored only if absent
/// (a write expecting revision 0, or the revision of a delete marker), so two nodes
/// remembering the same key at once cannot both be first. Safe from any task.
public final class SharedKeys: Sendable {
    public static let defaultBucket = "simpul_idempotency"

    /// What `remember` found.
    public enum Outcome: Sendable, Equatable {
        /// The key was not there: this call stored it.
        case new
        /// Another call (on this node or another) stored it first, with this value.
        case existing([UInt8])
    }

    public let window: Duration
    private let bucket: KVBucket
    private let ownsClient: Bool

    /// Connects and opens (or creates) the bucket; every node must use the same `window`.
    public convenience init(settings: JetStreamSettings, bucket: String = defaultBucket, window: Duration) async throws {
        try settings.validate()
        let client = try await Task.detached { () throws(JetStreamError) -> NATSClient in
            try NATSClient(settings: settings)
        }.value
        do {
            try await self.init(client: client, bucket: bucket, window: window, ownsClient: true)
        } catch {
            await client.close()
            throw error
        }
    }

    init(client: NATSClient, bucket: String, window: Duration, ownsClient: Bool = false) async throws {
        guard window >= .milliseconds(100) else {
            throw JetStreamError.invalidSettings("the idempotency window must be at least 100 ms, not \(window)")
        }
        self.window = window
        self.ownsClient = ownsClient
        self.bucket = try await KVBucket.open(client: client, name: bucket, ttl: window, replicas: client.settings.replicas)
    }

    /// Stores `value` under `key` unless the key is already there; returns which happened.
    ///
    /// When the cluster's answer to the write is lost (a timeout), the write may still have
    /// happened: the retry then finds the key with this call's own value as `.existing`.
    /// Callers that must tell the two apart put something unique to the call in `value`.
    public func remember(_ key: String, value: [UInt8]) async throws(SharedStateError) -> Outcome {
        let encoded = try KVKey.encode(key)
        // Most keys are new: one write expecting none saves the read (a round trip on the
        // client's one queue); a key that is there (or a delete marker) takes the loop.
        let first = try await call { try await self.bucket.write(encoded, value, expected: 0) }
        if case .written = first { return .new }
        for _ in 0..<3 {
            let latest = try await call { try await self.bucket.latest(encoded) }
            if let latest, !latest.isDeleted { return .existing(latest.value) }
            let outcome = try await call {
                try await self.bucket.write(encoded, value, expected: latest?.revision ?? 0)
            }
            if case .written = outcome { return .new }
            // Someone stored it between the read and the write: read theirs.
        }
        throw .unavailable(.requestFailed(operation: "remembering a key",
                                          detail: "the key kept changing under three attempts; try again"))
    }

    /// The value remembered under `key`, nil when it is absent or its window has passed.
    public func value(of key: String) async throws(SharedStateError) -> [UInt8]? {
        let encoded = try KVKey.encode(key)
        let latest = try await call { try await self.bucket.latest(encoded) }
        guard let latest, !latest.isDeleted else { return nil }
        return latest.value
    }

    /// Why the cluster is out of reach now, nil while the connection is up.
    public var unavailableReason: String? { bucket.client.watch.reason }

    public func close() async {
        if ownsClient { await bucket.client.close() }
    }
}
