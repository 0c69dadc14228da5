/// `LogStore` on the embedded log, with consumer positions in the journal
/// `journals/consumer-positions` (one text entry per commit, snapshotted every
/// `positionsSnapshotInterval` entries).
public final class EmbeddedLogStore: LogStore {
    public let log: Log
    private let positionsJournal: Journal
    private let positions: Locked<PositionTable>
    static let positionsSnapshotInterval = 10_000

    struct PositionKey: Hashable {
        var consumer: String
        var topic: String
        var partition: Int
    }

    struct PositionTable {
        /// Position and the journal offset that set it: a later journal entry always wins,
        /// whatever order concurrent commits come back in.
        var entries: [PositionKey: (offset: Int64, journalOffset: Int64)] = [:]
        var entriesSinceSnapshot = 0
        /// Commits whose journal append has not been applied to `entries` yet: a snapshot is
        /// only taken when there are none, so it never claims an entry it does not hold.
        var inFlight = 0
        var snapshotting = false
    }

    public init(directory: String, options: PartitionOptions = PartitionOptions(), io: any StorageIO = PosixStorageIO()) throws {
        log = try Log.open(directory: directory, options: options, io: io)
        var journalOptions = options
        journalOptions.segmentBytesMax = min(options.segmentBytesMax, 8 << 20)
        journalOptions.retention = .keepEverything
        positionsJournal = try Journal.open(directory: log.journalsDirectory + "/consumer-positions",
                                            options: journalOptions, io: io)
        var table = PositionTable()
        if let snapshot = positionsJournal.snapshot {
            for line in String(decoding: snapshot.state, as: UTF8.self).split(separator: "\n") {
                if let (key, offset) = Self.parse(line) { table.entries[key] = (offset, -1) }
            }
        }
        try positionsJournal.replay { record in
            if let (key, offset) = Self.parse(Substring(String(decoding: record.value, as: UTF8.self))) {
                table.entries[key] = (offset, record.offset)
                table.entriesSinceSnapshot += 1
            }
        }
        positions = Locked(table)
    }

    public func createTopic(_ name: TopicName, partitions: Int) async throws {
        try log.createTopic(name, partitions: partitions)
    }

    public func topics() async throws -> [TopicSummary] {
        try log.topicNames.map { name in
            let count = log.partitionCount(name) ?? 0
            return TopicSummary(name: name, partitions: try (0..<count).map { index in
                let partition = try log.partition(name, index)
                return PartitionSummary(index: index, startOffset: partition.startOffset,
                                        endOffset: partition.endOffset, sizeBytes: partition.sizeBytes)
            })
        }
    }

    public func partitionCount(_ topic: TopicName) async throws -> Int? { log.partitionCount(topic) }

    public func summary(topic: TopicName, partition index: Int) async throws -> PartitionSummary {
        let partition = try log.partition(topic, index)
        return PartitionSummary(index: index, startOffset: partition.startOffset, endOffset: partition.endOffset,
                                sizeBytes: partition.sizeBytes)
    }

    public func append(_ records: [AppendRecord], topic: TopicName, partition: Int) async throws -> Int64 {
        try await log.partition(topic, partition).append(records)
    }

    public func read(topic: TopicName, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws -> [LogRecord] {
        try log.partition(topic, partition).read(from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
    }

    public func waitForRecords(topic: TopicName, partition: Int, from offset: Int64, timeout: Duration) async throws -> Bool {
        await (try log.partition(topic, partition)).waitForRecords(from: offset, timeout: timeout)
    }

    public func notifyWhenRecords(topic: TopicName, partition: Int, from offset: Int64, _ wake: @escaping @Sendable () -> Void) {
        guard let source = try? log.partition(topic, partition) else { return }  // the caller's timeout wakes it
        source.notifyWhenRecords(from: offset, wake)
    }

    /// Nil: a failing disk shows per partition (`Partition.failure`), not as the whole store.
    public func unavailableReason() async -> String? { nil }

    public func commitPosition(_ offset: Int64, consumer: String, topic: TopicName, partition: Int) async throws {
        guard !consumer.isEmpty, !consumer.contains("\t"), !consumer.contains("\n"), consumer.utf8.count <= 200 else {
            throw LogError.invalidTopicName(consumer, reason: "a consumer name must be 1 to 200 bytes without tabs or newlines")
        }
        let key = PositionKey(consumer: consumer, topic: topic.value, partition: partition)
        let line = "\(consumer)\t\(topic.value)\t\(partition)\t\(offset)"
        positions.withLock { $0.inFlight += 1 }
        let journalOffset: Int64
        do {
            journalOffset = try await positionsJournal.append(Array(line.utf8))
        } catch {
            positions.withLock { $0.inFlight -= 1 }
            throw error
        }
        let snapshot: (state: [UInt8], next: Int64)? = positions.withLock { table in
            table.inFlight -= 1
            if (table.entries[key]?.journalOffset ?? -2) < journalOffset {
                table.entries[key] = (offset, journalOffset)
            }
            table.entriesSinceSnapshot += 1
            guard table.entriesSinceSnapshot >= Self.positionsSnapshotInterval, table.inFlight == 0,
                  !table.snapshotting else { return nil }
            table.entriesSinceSnapshot = 0
            table.snapshotting = true
            let lines = table.entries.map { "\($0.key.consumer)\t\($0.key.topic)\t\($0.key.partition)\t\($0.value.offset)" }
            return (Array(lines.joined(separator: "\n").utf8), journalOffset + 1)
        }
        if let snapshot {
            defer { positions.withLock { $0.snapshotting = false } }
            try await positionsJournal.writeSnapshot(snapshot.state, nextOffset: snapshot.next)
        }
    }

    public func position(consumer: String, topic: TopicName, partition: Int) async throws -> Int64? {
        positions.withLock { $0.entries[PositionKey(consumer: consumer, topic: topic.value, partition: partition)]?.offset }
    }

    public func close() async {
        await log.close()
        await positionsJournal.close()
    }

    private static func parse(_ line: Substring) -> (PositionKey, Int64)? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 4, let partition = Int(fields[2]), let offset = Int64(fields[3]) else { return nil }
        return (PositionKey(consumer: String(fields[0]), topic: String(fields[1]), partition: partition), offset)
    }
}
