import CNATS

/// Where the shared state's streams live in the cluster: for status pages and fault tests.
extension SharedJournal {
    public func replication() async throws(SharedStateError) -> StreamReplication {
        let stream = self.stream
        return try await call { try await self.client.run { jetStream in try sharedStreamReplication(jetStream, stream) } }
    }
}

extension JetStreamLeases {
    public func replication() async throws(SharedStateError) -> StreamReplication {
        let stream = bucket.stream
        return try await call { try await self.bucket.client.run { jetStream in try sharedStreamReplication(jetStream, stream) } }
    }
}

/// The stream's leader and followers (no leader, no followers on a single server).
func sharedStreamReplication(_ jetStream: OpaquePointer, _ stream: String) throws -> StreamReplication {
    var info: UnsafeMutablePointer<jsStreamInfo>?
    var code = jsErrCode(0)
    let status = js_GetStreamInfo(&info, jetStream, stream, nil, &code)
    guard status == NATS_OK, let info else { throw NATSClient.failure("reading stream \(stream)", status, code) }
    defer { jsStreamInfo_Destroy(info) }
    guard let cluster = info.pointee.Cluster else { return StreamReplication(leader: nil, followers: []) }
    let followers = (0..<Int(cluster.pointee.ReplicasLen)).compactMap { index -> (name: String, current: Bool)? in
        guard let peer = cluster.pointee.Replicas?[index], let name = peer.pointee.Name else { return nil }
        return (String(cString: name), peer.pointee.Current)
    }
    return StreamReplication(leader: cluster.pointee.Leader.map { String(cString: $0) }, followers: followers)
}
