import Foundation
import SimpulLog

/// A journal every node of a cluster appends to and follows (on JetStream: a
/// `SharedJournal`). SimpulBus knows only this; `SimpulAPI` adapts the JetStream one.
public protocol SharedDeliveryLog: Sendable {
    /// Appends the entries in order, each acknowledged by the cluster; returns the offset
    /// of the last one.
    func append(_ entries: [[UInt8]]) async throws -> Int64
    /// The entry at `offset`, nil when there is none (or it expired).
    func read(at offset: Int64) async throws -> [UInt8]?
    /// The offset the next entry will get.
    func endOffset() async throws -> Int64
    /// The offsets of the entries kept: from the oldest (those below were purged) to the
    /// next one to be appended.
    func keptOffsets() async throws -> Range<Int64>
    /// Calls `apply` with every entry from `offset` on, the history first, then what any
    /// node appends, in order and once each, until `stop()`.
    func follow(from offset: Int64, _ apply: @escaping @Sendable (_ offset: Int64, _ value: [UInt8]) -> Void) async throws
    /// Stops following (the journal stays).
    func stop() async
    /// The last snapshot written (see `FollowedJournal`), nil when there is none.
    func latestSnapshot() async throws -> SharedLogSnapshot?
    /// Writes `snapshot` unless the last one covers `minimumCovers` already; once written,
    /// the entries it covers are purged from the journal.
    func writeSnapshot(_ snapshot: SharedLogSnapshot, unlessCovering minimumCovers: Int64) async throws -> SharedLogSnapshotOutcome
}

/// A lease on one (subscription, topic, partition) gained or lost by this node.
public enum DeliveryLeaseChange: Sendable, Hashable {
    case acquired(String)
    /// Expired, taken over, given up or to be handed over to another node (beyond this
    /// node's share): delivery of that partition must stop now, then `handOver` it.
    case lost(String)
}

/// One holder per lease name across the cluster (on JetStream: a `LeaseKeeper`).
public protocol DeliveryLeases: Sendable {
    /// The names this node should hold from now on.
    func want(_ names: Set<String>)
    /// Whether this node holds `name` now (its lease is still valid).
    func holds(_ name: String) -> Bool
    var changes: AsyncStream<DeliveryLeaseChange> { get }
    func start()
    /// Delivery of these partitions has stopped and their cursors are committed: those
    /// being handed over are given up now, so that another node takes them at once.
    func handOver(_ names: Set<String>)
    /// Stops renewing; with `releasing`, gives the leases up at once (a clean shutdown).
    func stop(releasing: Bool) async
}

/// What a node needs to share deliveries with the other nodes of a cluster: the four
/// delivery journals and the partition leases.
public struct SharedDelivery: Sendable {
    /// Opens (or creates) the journal `name`; `maxAgeHours` drops older entries.
    public var journal: @Sendable (_ name: String, _ maxAgeHours: Int64?) async throws -> any SharedDeliveryLog
    public var leases: any DeliveryLeases
    /// How often the engine looks for partitions to lease (new topics, subscriptions).
    public var scanInterval: Duration
    /// Entries appended to a followed journal after its last snapshot before a node
    /// writes a new one and purges what it covers.
    public var snapshotAfterEntries = 10_000

    public init(journal: @escaping @Sendable (_ name: String, _ maxAgeHours: Int64?) async throws -> any SharedDeliveryLog,
                leases: any DeliveryLeases, scanInterval: Duration = .seconds(1)) {
        self.journal = journal
        self.leases = leases
        self.scanInterval = scanInterval
    }

    /// The lease guarding one partition of one subscription.
    static func leaseName(subscription: String, topic: String, partition: Int) -> String {
        "\(subscription)/\(topic)/\(partition)"
    }
}
