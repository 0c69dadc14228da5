import CNATS
import SimpulLog

/// Where a partition's stream lives in the cluster: for status pages and fault tests.
public struct StreamReplication: Sendable, Equatable {
    /// The server that orders appends now, or nil while the cluster elects one.
    public var leader: String?
    /// The other servers holding a copy, and whether each is caught up.
    public var followers: [(name: String, current: Bool)]

    public static func == (left: StreamReplication, right: StreamReplication) -> Bool {
        left.leader == right.leader && left.followers.map(\.name) == right.followers.map(\.name)
            && left.followers.map(\.current) == right.followers.map(\.current)
    }
}

extension JetStreamLogStore {
    public func replication(topic: TopicName, partition: Int) async throws -> StreamReplication {
        try await run { jetStream in
            let stream = StreamNaming.stream(topic, partition)
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(0)
            let status = js_GetStreamInfo(&info, jetStream, stream, nil, &code)
            if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { throw try Self.missing(jetStream, topic, partition) }
            guard status == NATS_OK, let info else { throw NATSClient.failure("reading stream \(stream)", status, code) }
            defer { jsStreamInfo_Destroy(info) }
            guard let cluster = info.pointee.Cluster else { return StreamReplication(leader: nil, followers: []) }
            let leader = cluster.pointee.Leader.map { String(cString: $0) }
            let followers = (0..<Int(cluster.pointee.ReplicasLen)).compactMap { index -> (name: String, current: Bool)? in
                guard let peer = cluster.pointee.Replicas?[index], let name = peer.pointee.Name else { return nil }
                return (String(cString: name), peer.pointee.Current)
            }
            return StreamReplication(leader: leader, followers: followers)
        }
    }
}
