import Foundation

/// Everything the embedded log keeps under one data directory:
///
/// ```
/// DATA/topics/<topic>/topic.meta            partition count (atomic replace)
/// DATA/topics/<topic>/<partition>/*.log     segments, *.idx indexes
/// DATA/journals/<name>/                     journals (a partition plus snapshot)
/// DATA/FORMAT                               "simpul-data 1" (DataDirectoryFormat)
/// ```
/// Safe from any task.
public final class Log: Sendable {
    public let directory: String
    public let options: PartitionOptions
    let io: any StorageIO
    private let topics: Locked<[TopicName: [Partition]]>

    var topicsDirectory: String { directory + "/topics" }
    public var journalsDirectory: String { directory + "/journals" }

    private init(directory: String, options: PartitionOptions, io: any StorageIO, topics: [TopicName: [Partition]]) {
        self.directory = directory
        self.options = options
        self.io = io
        self.topics = Locked(topics)
    }

    /// Opens (creating if needed) the data directory and every topic in it.
    /// - Throws: `LogError.unsupportedFormat` for data of a newer Simpul (nothing is changed).
    public static func open(
        directory: String, options: PartitionOptions = PartitionOptions(), io: any StorageIO = PosixStorageIO()
    ) throws -> Log {
        let options = try options.validated()
        try storageCall { try io.makeDirectory(directory) }
        // Before anything is created or recovered: a newer format is refused untouched.
        try DataDirectoryFormat.checkOrCreate(directory: directory, io: io)
        try storageCall {
            try io.makeDirectory(directory + "/topics")
            try io.makeDirectory(directory + "/journals")
        }
        var topics: [TopicName: [Partition]] = [:]
        for name in try storageCall({ try io.listDirectory(directory + "/topics") }) {
            let topicDirectory = directory + "/topics/" + name
            guard io.isDirectory(topicDirectory), let topic = try? TopicName(name) else { continue }
            let count = try readPartitionCount(topicDirectory, io: io)
            topics[topic] = try (0..<count).map {
                try Partition.open(directory: topicDirectory + "/\($0)", options: options, io: io)
            }
        }
        return Log(directory: directory, options: options, io: io, topics: topics)
    }

    /// Creates a topic, or returns quietly when it exists with the same partition count.
    public func createTopic(_ name: TopicName, partitions: Int = 1) throws {
        guard (1...LogLimits.partitionCountMax).contains(partitions) else {
            throw LogError.invalidPartitionCount(partitions)
        }
        try topics.withLock { topics in
            if let existing = topics[name] {
                guard existing.count == partitions else {
                    throw LogError.invalidPartitionCount(partitions)
                }
                return
            }
            let topicDirectory = topicsDirectory + "/" + name.value
            try storageCall {
                try io.makeDirectory(topicDirectory)
                try AtomicFile.write(Array("partitions \(partitions)\n".utf8), to: topicDirectory + "/topic.meta", io: io)
                try io.syncDirectory(topicsDirectory)
            }
            topics[name] = try (0..<partitions).map {
                try Partition.open(directory: topicDirectory + "/\($0)", options: options, io: io)
            }
        }
    }

    public func partition(_ topic: TopicName, _ index: Int) throws -> Partition {
        let partitions = try topics.withLock { topics in
            guard let partitions = topics[topic] else { throw LogError.unknownTopic(topic.value) }
            return partitions
        }
        guard partitions.indices.contains(index) else {
            throw LogError.unknownPartition(topic: topic.value, partition: index)
        }
        return partitions[index]
    }

    public func partitionCount(_ topic: TopicName) -> Int? {
        topics.withLock { $0[topic]?.count }
    }

    public var topicNames: [TopicName] { topics.withLock { $0.keys.sorted() } }

    /// What opening found in every partition (clean ones included).
    public var recoveryReports: [RecoveryReport] {
        topics.withLock { $0.values.flatMap { $0.map(\.recoveryReport) } }
    }

    /// Applies every partition's retention policy.
    public func enforceRetention(nowMs: Int64 = currentTimeMs()) async throws -> Int {
        var deleted = 0
        for partition in topics.withLock({ $0.values.flatMap { $0 } }) {
            deleted += try await partition.enforceRetention(nowMs: nowMs)
        }
        return deleted
    }

    /// Finishes queued appends, syncs and closes every partition.
    public func close() async {
        for partition in topics.withLock({ $0.values.flatMap { $0 } }) { await partition.close() }
    }

    private static func readPartitionCount(_ topicDirectory: String, io: any StorageIO) throws -> Int {
        let path = topicDirectory + "/topic.meta"
        guard let bytes = try storageCall({ try AtomicFile.read(path, io: io) }) else {
            throw LogError.unsupportedFormat(path: path, detail: "the topic has no topic.meta file")
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("partitions "), let count = Int(text.dropFirst("partitions ".count)),
              (1...LogLimits.partitionCountMax).contains(count) else {
            throw LogError.unsupportedFormat(path: path, detail: "expected \"partitions N\", found \"\(text.prefix(40))\"")
        }
        return count
    }
}
