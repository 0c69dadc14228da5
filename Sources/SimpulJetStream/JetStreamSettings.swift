import Foundation

/// How Simpul reaches a NATS JetStream cluster, and what durability it insists on.
///
/// J1 (RELIABILITY.md): an acknowledged event must survive the loss of one server. That
/// needs every stream replicated to at least three servers and every server syncing each
/// write to disk before it answers (`sync_interval: always` in the server's config). The
/// servers' sync policy is not visible to a client, so the operator declares it here and
/// `validate()` refuses anything weaker unless `acceptDataLossRisk` says the risk is known.
public struct JetStreamSettings: Sendable, Equatable {
    /// How the NATS servers sync JetStream writes, as set in their config.
    public enum ServerSyncPolicy: String, Sendable, Equatable {
        /// `sync_interval: always`: each write is on disk before the PubAck.
        case always
        /// The server default: writes reach disk every two minutes.
        case interval
    }

    /// The smallest replica count that survives losing one server without losing acks.
    public static let safeReplicasMin = 3
    /// JetStream's own limit on replicas.
    public static let replicasMax = 5

    /// `nats://host:port` (or `tls://`) URLs of the cluster's servers.
    public var servers: [String]
    public var replicas: Int
    public var serverSyncPolicy: ServerSyncPolicy
    /// A NATS `.creds` file (user JWT and seed), or nil when the servers need none.
    public var credentialsFile: String?
    /// PEM file of the CA that signed the servers' certificates; setting it requires TLS.
    public var tlsCAFile: String?
    /// Runs with fewer than three replicas or lazy sync anyway (tests, a single dev server).
    public var acceptDataLossRisk: Bool
    /// How long connecting and each JetStream request may take, in milliseconds.
    public var requestTimeoutMs: Int

    public init(servers: [String], replicas: Int = 3, serverSyncPolicy: ServerSyncPolicy = .always,
                credentialsFile: String? = nil, tlsCAFile: String? = nil,
                acceptDataLossRisk: Bool = false, requestTimeoutMs: Int = 5_000) {
        self.servers = servers
        self.replicas = replicas
        self.serverSyncPolicy = serverSyncPolicy
        self.credentialsFile = credentialsFile
        self.tlsCAFile = tlsCAFile
        self.acceptDataLossRisk = acceptDataLossRisk
        self.requestTimeoutMs = requestTimeoutMs
    }

    /// Checks the settings before any connection is made.
    public func validate() throws(JetStreamError) {
        guard !servers.isEmpty else {
            throw .invalidSettings("no NATS servers given; list at least one URL such as nats://10.0.0.5:4222")
        }
        for server in servers {
            let lower = server.lowercased()
            guard lower.hasPrefix("nats://") || lower.hasPrefix("tls://"), server.count > 7,
                  !server.contains(where: { $0 == " " || $0 == "," }) else {
                throw .invalidSettings("\"\(server)\" is not a NATS server URL; write nats://HOST:PORT or tls://HOST:PORT")
            }
        }
        guard (1...Self.replicasMax).contains(replicas) else {
            throw .invalidSettings("replicas must be 1 to \(Self.replicasMax), not \(replicas)")
        }
        guard (100...300_000).contains(requestTimeoutMs) else {
            throw .invalidSettings("the request timeout must be 100 to 300000 ms, not \(requestTimeoutMs)")
        }
        for (what, path) in [("credentials file", credentialsFile), ("TLS CA file", tlsCAFile)] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw .invalidSettings("the NATS \(what) \(path) does not exist or cannot be read by this user")
            }
        }
        if acceptDataLossRisk { return }
        if replicas < Self.safeReplicasMin {
            throw .dataLossRisk("replicas is \(replicas): an event acknowledged to a publisher is lost when "
                + "the server holding it fails; use replicas \(Self.safeReplicasMin) or more, or set "
                + "acceptDataLossRisk (--accept-data-loss-risk) to run like this knowingly")
        }
        if serverSyncPolicy != .always {
            throw .dataLossRisk("the NATS servers sync to disk only every two minutes (sync_interval is not "
                + "always): acknowledged events are lost if the servers lose power together; set "
                + "sync_interval: always on every server, or set acceptDataLossRisk "
                + "(--accept-data-loss-risk) to run like this knowingly")
        }
    }
}
