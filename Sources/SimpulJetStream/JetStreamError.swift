import SimpulLog

/// What went wrong talking to NATS JetStream, in words an operator can act on.
public enum JetStreamError: LogStoreError, Equatable {
    case invalidSettings(String)
    /// The settings would acknowledge events that a single failure can lose.
    case dataLossRisk(String)
    /// No server in the list answered.
    case unreachable(servers: [String], detail: String)
    /// A JetStream request failed; `operation` says which, `detail` what NATS answered.
    case requestFailed(operation: String, detail: String)
    /// The topic exists in JetStream with a different partition count.
    case partitionCountMismatch(topic: String, existing: Int, requested: Int)
    /// A record the log accepts but the NATS servers' `max_payload` does not.
    case recordOverServerLimit(bytes: Int, maxPayload: Int)
    case closed

    /// Out of reach for now: the same request may succeed once the cluster is back.
    public var isUnavailable: Bool {
        switch self {
        case .unreachable, .requestFailed, .closed: return true
        case .invalidSettings, .dataLossRisk, .partitionCountMismatch, .recordOverServerLimit: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidSettings(let detail):
            return "invalid JetStream settings: \(detail)"
        case .dataLossRisk(let detail):
            return "refusing a JetStream setup that can lose acknowledged events: \(detail)"
        case .unreachable(let servers, let detail):
            return "cannot reach the NATS cluster at \(servers.joined(separator: ", ")) (\(detail)); "
                + "check that the servers run with JetStream enabled and that this host can reach them"
        case .requestFailed(let operation, let detail):
            return "JetStream \(operation) failed: \(detail)"
        case .partitionCountMismatch(let topic, let existing, let requested):
            return "topic \"\(topic)\" already has \(existing) partitions in JetStream, not \(requested)"
        case .recordOverServerLimit(let bytes, let maxPayload):
            return "a record of \(bytes) bytes (with its headers) is over the NATS servers' max_payload of "
                + "\(maxPayload) bytes; nothing was acknowledged — set max_payload: 2MB on every server"
        case .closed:
            return "the JetStream store is closed"
        }
    }
}
