import SimpulLog

/// What went wrong with state Simpul nodes share in JetStream (leases, remembered keys,
/// shared journals): refused (the answer will not change by asking again now) or
/// unavailable (the cluster could not answer; the same call may succeed later).
public enum SharedStateError: LogStoreError, Equatable {
    /// Another node holds the lease; it is free again once that node stops renewing it
    /// for the lease's time to live.
    case leaseHeld(name: String, holder: String)
    /// The lease expired or another node took it over: whatever it guarded must stop
    /// until it is acquired again.
    case leaseLost(name: String, holder: String, nowHeldBy: String?)
    /// A name or key Simpul cannot store (empty, too long).
    case invalidName(String, reason: String)
    /// The cluster could not answer.
    case unavailable(JetStreamError)

    public var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .leaseHeld(let name, let holder):
            return "\"\(name)\" is held by \(holder); another node takes it over only after \(holder) stops renewing it"
        case .leaseLost(let name, let holder, let nowHeldBy):
            let now = nowHeldBy.map { "it is now held by \($0)" } ?? "it expired"
            return "\(holder) lost \"\(name)\" (\(now)); its work there stops until it acquires it again"
        case .invalidName(let name, let reason):
            return "\"\(name.prefix(80))\" cannot be stored in JetStream: \(reason)"
        case .unavailable(let error):
            return error.description
        }
    }

    /// Wraps a failure of the cluster; a refusal passes through unchanged.
    static func wrapping(_ error: any Error) -> SharedStateError {
        if let shared = error as? SharedStateError { return shared }
        if let jetStream = error as? JetStreamError { return .unavailable(jetStream) }
        return .unavailable(.requestFailed(operation: "a shared-state request", detail: "\(error)"))
    }
}
