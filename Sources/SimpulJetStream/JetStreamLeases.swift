import Foundation

/// A lease one node holds on a name, as returned by `acquire` and `renew`.
public struct Lease: Sendable, Equatable {
    public let name: String
    public let holder: String
    /// The bucket revision this holder wrote last; the next renew must find it unchanged.
    public let revision: UInt64
    /// Until when the holder may act on it, on this process's clock: the time the write
    /// was sent plus the time to live, so never later than the server lets it expire.
    public let validUntil: ContinuousClock.Instant

    public var isValid: Bool { ContinuousClock.now < validUntil }
}

/// Leases in a NATS key-value bucket: at most one live holder per name, taken over by
/// another node once the holder stops renewing for the time to live.
///
/// This is how nodes will share a subscription's partitions: one holder per (subscription,
/// partition). Expiry is the server's: the bucket removes an entry `ttl` after its last
/// write (JetStream `max_age`), so nodes' clocks play no part. Every write is a
/// compare-and-set on the key's revision: two nodes acquiring at once cannot both win, and
/// a holder whose lease was taken over is told so on renew, never overwrites the new holder.
/// A holder renews well inside the ttl (a third of it is the usual choice) and stops acting
/// when `Lease.isValid` turns false. Safe from any task.
public final class JetStreamLeases: Sendable {
    public static let defaultBucket = "simpul_leases"

    public let ttl: Duration
    let bucket: KVBucket
    private let ownsClient: Bool

    /// Connects and opens (or creates) the bucket. Every node must use the same `ttl`: a
    /// bucket that exists with another one is refused.
    public convenience init(settings: JetStreamSettings, bucket: String = defaultBucket, ttl: Duration) async throws {
        try settings.validate()
        let client = try await Task.detached { () throws(JetStreamError) -> NATSClient in
            try NATSClient(settings: settings)
        }.value
        do {
            try await self.init(client: client, bucket: bucket, ttl: ttl, ownsClient: true)
        } catch {
            await client.close()
            throw error
        }
    }

    init(client: NATSClient, bucket: String, ttl: Duration, ownsClient: Bool = false) async throws {
        guard ttl >= .milliseconds(100) else {
            throw JetStreamError.invalidSettings("a lease's time to live must be at least 100 ms, not \(ttl)")
        }
        self.ttl = ttl
        self.ownsClient = ownsClient
        self.bucket = try await KVBucket.open(client: client, name: bucket, ttl: ttl, replicas: client.settings.replicas)
    }

    /// Takes the lease if no one holds it (or this holder already does).
    /// - Throws: `SharedStateError.leaseHeld` while another holder's lease is live.
    public func acquire(_ name: String, holder: String) async throws(SharedStateError) -> Lease {
        let key = try KVKey.encode(name)
        try Self.check(holder: holder)
        // A lost race re-reads once: the winner's entry is then what is there (or, if it
        // already expired again, the next round may win).
        for _ in 0..<3 {
            let sent = ContinuousClock.now
            let latest = try await call { try await self.bucket.latest(key) }
            if let latest, !latest.isDeleted {
                let current = String(decoding: latest.value, as: UTF8.self)
                // The same holder again (say its last write's answer was lost): renew it.
                guard current == holder else { throw .leaseHeld(name: name, holder: current) }
            }
            let outcome = try await call {
                try await self.bucket.write(key, Array(holder.utf8), expected: latest?.revision ?? 0)
            }
            if case .written(let revision) = outcome {
                return Lease(name: name, holder: holder, revision: revision, validUntil: sent + ttl)
            }
        }
        let current = try await call { try await self.bucket.latest(key) }
        throw .leaseHeld(name: name, holder: current.map { String(decoding: $0.value, as: UTF8.self) } ?? "another node")
    }

    /// Extends the lease by the time to live from now.
    /// - Throws: `SharedStateError.leaseLost` when it expired or another holder took it.
    ///
    /// A renew whose answer was lost (a timeout while the cluster elects a leader) may still
    /// have been written: the next renew then finds this holder's own newer revision and
    /// carries on from it. That is why a holder name must be unique to one process (node
    /// name and start time, say), never shared by two.
    public func renew(_ lease: Lease) async throws(SharedStateError) -> Lease {
        let key = try KVKey.encode(lease.name)
        var expected = lease.revision
        for _ in 0..<2 {
            let sent = ContinuousClock.now
            let outcome = try await call {
                try await self.bucket.write(key, Array(lease.holder.utf8), expected: expected)
            }
            if case .written(let revision) = outcome {
                return Lease(name: lease.name, holder: lease.holder, revision: revision, validUntil: sent + ttl)
            }
            let current = try await call { try await self.bucket.latest(key) }
            let holder = current.flatMap { $0.isDeleted ? nil : String(decoding: $0.value, as: UTF8.self) }
            guard let current, holder == lease.holder, current.revision > lease.revision else {
                throw .leaseLost(name: lease.name, holder: lease.holder, nowHeldBy: holder)
            }
            expected = current.revision
        }
        throw .leaseLost(name: lease.name, holder: lease.holder, nowHeldBy: nil)
    }

    /// Gives the lease up at once so another node need not wait out the ttl; a lease
    /// already lost is left to its new holder.
    public func release(_ lease: Lease) async throws(SharedStateError) {
        let key = try KVKey.encode(lease.name)
        _ = try await call { try await self.bucket.write(key, [], expected: lease.revision, delete: true) }
    }

    /// Who holds the lease now, nil when no one does.
    public func holder(of name: String) async throws(SharedStateError) -> String? {
        let key = try KVKey.encode(name)
        let latest = try await call { try await self.bucket.latest(key) }
        guard let latest, !latest.isDeleted else { return nil }
        return String(decoding: latest.value, as: UTF8.self)
    }

    public func close() async {
        if ownsClient { await bucket.client.close() }
    }

    private static func check(holder: String) throws(SharedStateError) {
        guard !holder.isEmpty, holder.utf8.count <= 256 else {
            throw .invalidName(holder, reason: "a lease holder's name must be 1 to 256 bytes")
        }
    }
}

/// Runs a JetStream call, turning its failure into `SharedStateError.unavailable`.
func call<T: Sendable>(_ body: () async throws -> T) async throws(SharedStateError) -> T {
    do {
        return try await body()
    } catch {
        throw SharedStateError.wrapping(error)
    }
}
