/// The log as the bus sees it: topics of partitions, appends acknowledged only once
/// durable, reads from any offset, and durable per-consumer positions.
///
/// The embedded log implements it (`EmbeddedLogStore`); a NATS JetStream stream can stand
/// in its place: a topic partition is a stream subject, an offset a stream sequence, the
/// acknowledgement a PubAck, a consumer position a durable consumer's ack floor.
/// Implementations are safe from any task.
public protocol LogStore: Sendable {
    /// Creates a topic, or does nothing when it exists with the same partition count.
    func createTopic(_ name: TopicName, partitions: Int) async throws
    /// Every topic with its partitions' offsets and sizes.
    func topics() async throws -> [TopicSummary]
    /// How many partitions `topic` has; nil when it does not exist.
    func partitionCount(_ topic: TopicName) async throws -> Int?
    /// One partition's offsets and size.
    func summary(topic: TopicName, partition: Int) async throws -> PartitionSummary
    /// Appends records as one contiguous run and returns the first offset, once durable.
    func append(_ records: [AppendRecord], topic: TopicName, partition: Int) async throws -> Int64
    /// Reads up to `maxRecords` records (and about `maxBytes` of values) from `offset`.
    func read(topic: TopicName, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws -> [LogRecord]
    /// Waits until a record at or after `offset` exists; false on timeout.
    func waitForRecords(topic: TopicName, partition: Int, from offset: Int64, timeout: Duration) async throws -> Bool
    /// Calls `wake` once, when a record at or after `offset` exists (at once if one does),
    /// or earlier: a wake without a record is allowed, so callers look again.
    func notifyWhenRecords(topic: TopicName, partition: Int, from offset: Int64, _ wake: @escaping @Sendable () -> Void)
    /// Durably records that `consumer` has processed everything below `offset`.
    func commitPosition(_ offset: Int64, consumer: String, topic: TopicName, partition: Int) async throws
    /// The last committed position of `consumer`, or nil when it never committed.
    func position(consumer: String, topic: TopicName, partition: Int) async throws -> Int64?
    /// Why the store cannot serve now (its servers are out of reach, or answer without
    /// being able to store), or nil when it can; for readiness, so it may ask the servers.
    func unavailableReason() async -> String?
    /// Finishes pending appends and closes.
    func close() async
}

/// An error of a store on other machines: `isUnavailable` when they are out of reach for
/// now (the request may be retried later), as opposed to a refusal.
public protocol LogStoreError: Error, CustomStringConvertible, Sendable {
    var isUnavailable: Bool { get }
}

public struct TopicSummary: Sendable, Equatable {
    public var name: TopicName
    public var partitions: [PartitionSummary]

    public init(name: TopicName, partitions: [PartitionSummary]) {
        self.name = name
        self.partitions = partitions
    }
}

public struct PartitionSummary: Sendable, Equatable {
    public var index: Int
    /// First offset still kept.
    public var startOffset: Int64
    /// One past the last durable offset.
    public var endOffset: Int64
    public var sizeBytes: Int

    public init(index: Int, startOffset: Int64, endOffset: Int64, sizeBytes: Int) {
        self.index = index
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.sizeBytes = sizeBytes
    }
}
