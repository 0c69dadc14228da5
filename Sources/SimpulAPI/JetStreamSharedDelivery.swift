import Foundation
import SimpulBus
import SimpulJetStream
import SimpulLog

/// Delivery shared by the nodes of a JetStream cluster: the bus's delivery journals on
/// `SharedJournal`s and the partition leases on a `LeaseKeeper`, over one connection
/// (docs/design/stateless-nodes.md). Close it after the bus.
public final class JetStreamSharedDelivery: Sendable {
    /// The design page's choice: above the ~10 s a stream leader election can take.
    public static let defaultLeaseTtl: Duration = .seconds(15)

    public let delivery: SharedDelivery
    public let keeper: LeaseKeeper
    private let connection: SharedStateConnection

    /// Connects and opens the lease bucket; `holder` names this process uniquely (host
    /// and start time); leases are renewed every `renewEvery` (a third of the ttl unless told).
    public init(settings: JetStreamSettings, holder: String, leaseTtl: Duration = defaultLeaseTtl,
                renewEvery: Duration? = nil, scanInterval: Duration = .seconds(1)) async throws {
        let connection = try await SharedStateConnection(settings: settings)
        do {
            let leases = try await connection.leases(ttl: leaseTtl)
            keeper = LeaseKeeper(leases: leases, holder: holder, interval: renewEvery)
        } catch {
            await connection.close()
            throw error
        }
        self.connection = connection
        delivery = SharedDelivery(
            journal: { name, maxAgeHours in
                SharedJournalPort(try await connection.journal(name, maxAge: maxAgeHours.map { .seconds($0 * 3600) }))
            },
            leases: KeeperLeases(keeper), scanInterval: scanInterval)
    }

    /// A holder name unique to this process: the host name, the process id and the time.
    public static func uniqueHolder() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(Int64(Date().timeIntervalSince1970 * 1000))"
    }

    /// Why the cluster is out of reach now, nil while the connection is up.
    public var unavailableReason: String? { connection.unavailableReason }

    public func close() async { await connection.close() }
}

/// A `SharedJournal` as the bus's `SharedDeliveryLog`.
final class SharedJournalPort: SharedDeliveryLog {
    private let journal: SharedJournal
    private let following = Locked<(follower: SharedJournalFollower, task: Task<Void, Never>)?>(nil)

    init(_ journal: SharedJournal) { self.journal = journal }

    func append(_ entries: [[UInt8]]) async throws -> Int64 {
        try await journal.append(batch: entries)
    }

    func read(at offset: Int64) async throws -> [UInt8]? {
        guard let entry = try await journal.read(from: offset, maxEntries: 1).first, entry.offset == offset else { return nil }
        return entry.value
    }

    func endOffset() async throws -> Int64 { try await journal.endOffset() }

    func keptOffsets() async throws -> Range<Int64> { try await journal.keptOffsets() }

    func follow(from offset: Int64, _ apply: @escaping @Sendable (Int64, [UInt8]) -> Void) async throws {
        let follower = try await journal.follow(from: offset)
        let task = Task {
            for await entry in follower.entries { apply(entry.offset, entry.value) }
        }
        let previous = following.withLock { current in
            defer { current = (follower, task) }
            return current
        }
        if let previous { await previous.follower.stop() }
    }

    func latestSnapshot() async throws -> SharedLogSnapshot? { try await journal.latestSnapshot() }

    func writeSnapshot(_ snapshot: SharedLogSnapshot, unlessCovering minimumCovers: Int64) async throws -> SharedLogSnapshotOutcome {
        try await journal.writeSnapshot(snapshot, unlessCovering: minimumCovers)
    }

    func stop() async {
        guard let current = following.withLock({ current in
            defer { current = nil }
            return current
        }) else { return }
        await current.follower.stop()
        await current.task.value
    }
}

/// A `LeaseKeeper` as the bus's `DeliveryLeases`.
final class KeeperLeases: DeliveryLeases {
    let changes: AsyncStream<DeliveryLeaseChange>
    private let keeper: LeaseKeeper

    init(_ keeper: LeaseKeeper) {
        self.keeper = keeper
        let (changes, continuation) = AsyncStream.makeStream(of: DeliveryLeaseChange.self, bufferingPolicy: .unbounded)
        self.changes = changes
        Task {
            for await change in keeper.changes {
                switch change {
                case .acquired(let name): continuation.yield(.acquired(name))
                case .lost(let name): continuation.yield(.lost(name))
                }
            }
            continuation.finish()
        }
    }

    func want(_ names: Set<String>) { keeper.want(names) }
    func holds(_ name: String) -> Bool { keeper.holds(name) }
    func start() { keeper.start() }
    func handOver(_ names: Set<String>) { keeper.handOver(names) }
    func stop(releasing: Bool) async { await keeper.stop(releasing: releasing) }
}
