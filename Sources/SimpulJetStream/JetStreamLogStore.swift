import CNATS
import Foundation
import SimpulLog

/// `LogStore` on NATS JetStream: each topic partition a stream of one subject, offsets the
/// stream sequences minus one, consumer positions in the key-value bucket `simpul_positions`.
///
/// An append returns only after JetStream's PubAck, which with R3 and
/// `sync_interval: always` means the record is on the disks of a majority of servers.
/// Each record is published with `Nats-Msg-Id` set to its key (the event id), so JetStream's
/// duplicate window drops a repeated publish and answers with the first one's sequence.
/// Appends are pipelined (`AppendPipeline`): sent without waiting for earlier PubAcks, each
/// answered when its own arrive; each append's records go out back to back, so a batch gets
/// consecutive offsets as long as no other process appends to the same partition at the
/// same time.
public final class JetStreamLogStore: LogStore {
    /// Headers that carry what a NATS message has no field for.
    /// The record key in hex, only for keys that are not their own `Nats-Msg-Id`.
    static let keyHeader = "Simpul-Key"
    static let messageIDHeader = "Nats-Msg-Id"
    static let timeHeader = "Simpul-Time-Ms"
    /// The longest a readiness probe waits for JetStream's answer.
    static let probeWaitMs = 2_000
    /// JetStream's duplicate window, in nanoseconds (two minutes, its default).
    static let duplicateWindowNs: Int64 = 120 * 1_000_000_000

    private let client: NATSClient
    private let positions: BucketHandle
    /// Partition counts seen (a topic's count never changes), so that the bus's frequent
    /// "how many partitions" costs no round trip.
    private let knownPartitions = Locked<[TopicName: Int]>([:])
    /// Appends waiting for the client's queue.
    private let appends = AppendPipeline()
    /// Readers waiting for partitions to grow.
    private let waiters = PartitionWaiters()

    /// Connects and opens (or creates) the positions bucket; throws a clear error when the
    /// settings are unsafe or no server answers.
    public init(settings: JetStreamSettings) async throws {
        try settings.validate()
        let client = try await Task.detached { () throws(JetStreamError) -> NATSClient in
            try NATSClient(settings: settings)
        }.value
        do {
            positions = try await client.run { jetStream in
                try Self.openPositionsBucket(jetStream, replicas: settings.replicas)
            }
        } catch {
            await client.close()
            throw error
        }
        self.client = client
    }

    public func createTopic(_ name: TopicName, partitions: Int) async throws {
        guard (1...LogLimits.partitionCountMax).contains(partitions) else {
            throw LogError.invalidPartitionCount(partitions)
        }
        let replicas = client.settings.replicas
        try await client.run { jetStream in
            let existing = try Self.partitionCount(jetStream, name)
            if existing == partitions { return }
            if existing > 0 {
                throw JetStreamError.partitionCountMismatch(topic: name.value, existing: existing, requested: partitions)
            }
            for partition in 0..<partitions {
                try Self.addStream(jetStream, name, partition, replicas: replicas)
            }
        }
        knownPartitions.withLock { $0[name] = partitions }
    }

    public func partitionCount(_ topic: TopicName) async throws -> Int? {
        if let known = knownPartitions.withLock({ $0[topic] }) { return known }
        let count = try await client.run { jetStream in try Self.partitionCount(jetStream, topic) }
        guard count > 0 else { return nil }
        knownPartitions.withLock { $0[topic] = count }
        return count
    }

    public func summary(topic: TopicName, partition: Int) async throws -> PartitionSummary {
        try await client.run { jetStream in
            guard let state = try Self.streamState(jetStream, StreamNaming.stream(topic, partition)) else {
                throw try Self.missing(jetStream, topic, partition)
            }
            return PartitionSummary(index: partition, startOffset: state.startOffset, endOffset: state.endOffset,
                                    sizeBytes: Int(clamping: state.bytes))
        }
    }

    public func topics() async throws -> [TopicSummary] {
        try await client.run { jetStream in
            var byTopic: [TopicName: [PartitionSummary]] = [:]
            for name in try Self.streamNames(jetStream) {
                guard let (topic, partition) = StreamNaming.parse(stream: name),
                      let state = try Self.streamState(jetStream, name) else { continue }
                byTopic[topic, default: []].append(PartitionSummary(
                    index: partition, startOffset: state.startOffset, endOffset: state.endOffset,
                    sizeBytes: Int(clamping: state.bytes)))
            }
            return byTopic.keys.sorted().map { topic in
                TopicSummary(name: topic, partitions: byTopic[topic, default: []].sorted { $0.index < $1.index })
            }
        }
    }

    public func append(_ records: [AppendRecord], topic: TopicName, partition: Int) async throws -> Int64 {
        guard !records.isEmpty else { return try await endOffset(topic, partition) }
        for record in records {
            guard record.value.count <= LogLimits.recordValueBytesMax else {
                throw LogError.recordTooLarge(bytes: record.value.count, limit: LogLimits.recordValueBytesMax)
            }
            guard record.key.count <= LogLimits.recordKeyBytesMax else {
                throw LogError.keyTooLarge(bytes: record.key.count, limit: LogLimits.recordKeyBytesMax)
            }
        }
        // The partition count is looked up once per topic, then known (a topic's count never
        // changes): no round trip before an append. A stream removed behind the store's back
        // fails the publish, which names the stream it expected.
        guard let known = try await partitionCount(topic) else { throw LogError.unknownTopic(topic.value) }
        if partition >= known || partition < 0 {
            throw LogError.unknownPartition(topic: topic.value, partition: partition)
        }
        let pipeline = appends, client = self.client
        return try await withCheckedThrowingContinuation { continuation in
            let append = AppendPipeline.Append(records: records, topic: topic, partition: partition, continuation: continuation)
            if pipeline.enqueue(append) { Self.drain(pipeline, client: client) }
        }
    }

    public func read(topic: TopicName, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws -> [LogRecord] {
        let timeoutMs = client.settings.requestTimeoutMs
        return try await client.runWithConnection { connection, jetStream in
            let stream = StreamNaming.stream(topic, partition)
            guard let state = try Self.streamState(jetStream, stream) else {
                throw try Self.missing(jetStream, topic, partition)
            }
            if offset < state.startOffset {
                throw LogError.offsetBeforeStart(requested: offset, earliest: state.startOffset)
            }
            var records: [LogRecord] = []
            var bytes = 0
            var next = max(offset, 0)
            // Batches of at most `batchMax` records until the read is complete; record by
            // record (below) for a last one, or when the server sends no batch.
            while bytes < maxBytes {
                let wanted = min(Int64(maxRecords - records.count), state.endOffset - next)
                guard wanted > 1, let fetched = try Self.directBatch(connection, stream: stream, offset: next, batch: Int(wanted),
                                                                     maxBytes: maxBytes - bytes, timeoutMs: timeoutMs),
                      let last = fetched.last else { break }
                for record in fetched where record.offset < state.endOffset && bytes < maxBytes {
                    records.append(record)
                    bytes += record.value.count
                }
                next = last.offset + 1
            }
            while next < state.endOffset, records.count < maxRecords, bytes < maxBytes {
                if let record = try Self.message(jetStream, stream: stream, offset: next) {
                    records.append(record)
                    bytes += record.value.count
                }
                next += 1
            }
            return records
        }
    }

    /// Answers at once when the record is there; otherwise waits on the partition's one
    /// shared poller (`PartitionWaiters`), so that many idle long-polling readers and
    /// delivery workers cost the cluster little.
    public func waitForRecords(topic: TopicName, partition: Int, from offset: Int64, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        if try await endOffset(topic, partition) > offset { return true }
        if ContinuousClock.now >= deadline { return false }
        return await waiters.wait(PartitionWaiters.Key(topic: topic, partition: partition), after: offset, until: deadline) {
            [weak self] key in
            guard let self else { throw JetStreamError.closed }
            return try await self.endOffset(key.topic, key.partition)
        }
    }

    /// Polls like `waitForRecords` for up to five seconds, then wakes the caller anyway;
    /// while the cluster is out of reach, after a second (so the caller does not spin).
    public func notifyWhenRecords(topic: TopicName, partition: Int, from offset: Int64, _ wake: @escaping @Sendable () -> Void) {
        Task {
            do {
                _ = try await self.waitForRecords(topic: topic, partition: partition, from: offset, timeout: .seconds(5))
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
            wake()
        }
    }

    /// Down when libnats says the connection is; when it is up, JetStream itself is asked
    /// (a cluster that lost its majority accepts connections but stores nothing).
    public func unavailableReason() async -> String? {
        let servers = client.settings.servers.joined(separator: ", ")
        if let down = client.watch.reason { return "cannot reach the NATS cluster at \(servers): \(down)" }
        let waitMs = min(client.settings.requestTimeoutMs, Self.probeWaitMs)
        do {
            try await client.run { jetStream in try Self.probe(jetStream, waitMs: waitMs) }
            return nil
        } catch {
            return "the NATS cluster at \(servers) does not answer JetStream requests: \(error)"
        }
    }

    public func commitPosition(_ offset: Int64, consumer: String, topic: TopicName, partition: Int) async throws {
        guard !consumer.isEmpty, consumer.utf8.count <= 200 else {
            throw LogError.invalidTopicName(consumer, reason: "a consumer name must be 1 to 200 bytes")
        }
        let key = StreamNaming.positionKey(consumer: consumer, topic: topic, partition: partition)
        let positions = self.positions
        try await client.run { _ in
            let value = Array(String(offset).utf8)
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes {
                kvStore_Put(&revision, positions.pointer, key, $0.baseAddress, Int32($0.count))
            }
            guard status == NATS_OK else { throw NATSClient.failure("saving the position of \(consumer)", status) }
        }
    }

    public func position(consumer: String, topic: TopicName, partition: Int) async throws -> Int64? {
        let key = StreamNaming.positionKey(consumer: consumer, topic: topic, partition: partition)
        let positions = self.positions
        return try await client.run { _ -> Int64? in
            var entry: OpaquePointer?
            let status = kvStore_Get(&entry, positions.pointer, key)
            if status == NATS_NOT_FOUND { return nil }
            guard status == NATS_OK, let entry else { throw NATSClient.failure("reading the position of \(consumer)", status) }
            defer { kvEntry_Destroy(entry) }
            guard let text = kvEntry_ValueString(entry), let offset = Int64(String(cString: text)) else {
                throw JetStreamError.requestFailed(operation: "reading the position of \(consumer)",
                                                   detail: "the stored value is not an offset")
            }
            return offset
        }
    }

    /// Safe to call more than once and while other calls are under way: the positions
    /// bucket is destroyed in the same step that closes the connection, so a call queued
    /// after it finds the client closed instead of a freed bucket.
    public func close() async {
        let positions = self.positions
        await client.close { kvStore_Destroy(positions.pointer) }
    }

    /// Runs a libnats call on the client's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await client.run(body)
    }

    private func endOffset(_ topic: TopicName, _ partition: Int) async throws -> Int64 {
        try await client.run { jetStream in
            guard let state = try Self.streamState(jetStream, StreamNaming.stream(topic, partition)) else {
                throw try Self.missing(jetStream, topic, partition)
            }
            return state.endOffset
        }
    }
}

/// A libnats pointer handed into a queue block; only ever used there.
struct BucketHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
