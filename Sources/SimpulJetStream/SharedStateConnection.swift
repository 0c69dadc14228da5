/// One connection to the NATS cluster for all the shared state of a node: the leases, the
/// remembered keys and the shared journals opened through it use it, instead of one
/// connection each. Closing it ends them all. Safe from any task.
public final class SharedStateConnection: Sendable {
    let client: NATSClient

    /// Connects; throws a clear error when the settings are unsafe or no server answers.
    public init(settings: JetStreamSettings) async throws {
        try settings.validate()
        client = try await Task.detached { () throws(JetStreamError) -> NATSClient in
            try NATSClient(settings: settings)
        }.value
    }

    public func leases(bucket: String = JetStreamLeases.defaultBucket, ttl: Duration) async throws -> JetStreamLeases {
        try await JetStreamLeases(client: client, bucket: bucket, ttl: ttl)
    }

    public func keys(bucket: String = SharedKeys.defaultBucket, window: Duration) async throws -> SharedKeys {
        try await SharedKeys(client: client, bucket: bucket, window: window)
    }

    public func journal(_ name: String, maxAge: Duration? = nil) async throws -> SharedJournal {
        try await SharedJournal(client: client, name: name, maxAge: maxAge)
    }

    /// Why the cluster is out of reach now, nil while the connection is up.
    public var unavailableReason: String? { client.watch.reason }

    public func close() async { await client.close() }
}
