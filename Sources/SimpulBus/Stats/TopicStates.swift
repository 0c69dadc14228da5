import SimpulLog

/// One topic partition as the stats, metrics, topic list and status page show it.
public struct PartitionState: Sendable {
    public var topic: TopicName
    public var summary: PartitionSummary
    /// The storage failure that made an embedded partition read-only, if any.
    public var failure: LogError?
}

extension Bus {
    /// Every topic partition, in topic order (a round trip to the cluster on JetStream).
    /// - Throws: `BusError.logUnavailable` while the store's servers are out of reach.
    public func partitionStates() async throws -> [PartitionState] {
        let topics = try await wrapStorage { try await store.topics() }
        let embedded = embeddedLog
        return topics.flatMap { topic in
            topic.partitions.map { summary in
                PartitionState(topic: topic.name, summary: summary,
                               failure: embedded.flatMap { try? $0.partition(topic.name, summary.index) }?.failure)
            }
        }
    }

    /// What keeps the bus from serving now, in words for an admin: the topics' store or the
    /// shared state out of reach, a partition made read-only by a storage failure, a disk below its floor.
    public func readinessProblems() async -> [String] {
        var problems: [String] = []
        if let reason = await store.unavailableReason() { problems.append(reason) }
        if let reason = sharedIdempotency?.keys.unavailableReason { problems.append(reason) }
        if let log = embeddedLog {
            for name in log.topicNames {
                for index in 0..<(log.partitionCount(name) ?? 0) {
                    if let failure = (try? log.partition(name, index))?.failure {
                        problems.append("\(name.value)/\(index): \(failure)")
                    }
                }
            }
        }
        let floor = settings.log.freeBytesFloor
        if let free = try? PosixStorageIO().availableBytes(at: settings.dataDirectory), free < floor {
            problems.append("free disk space \(free) bytes is below the floor of \(floor) bytes")
        }
        return problems
    }
}
