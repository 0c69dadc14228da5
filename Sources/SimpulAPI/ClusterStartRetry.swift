import SimpulBus
import SimpulJetStream

/// Starting while the NATS cluster elects a stream leader.
///
/// When a NATS server dies, every stream it led is without a leader for JetStream's
/// election timeout (4 to 9 s, measured in stateless-nodes.md): requests to those streams
/// time out or find no responder although the cluster is up. A node started in that
/// window (a restart by systemd, a scale-out) would exit with a timeout that says nothing
/// of the election. `ClusterStartRetry` retries such a start for a bounded time instead;
/// a cluster that no server of answers, or a refusal (bad settings, a topic with another
/// partition count), still ends the start at once.
public struct ClusterStartRetry: Sendable {
    /// How long to keep retrying: several elections (one per stream the dead server led)
    /// run in parallel, each within ~10 s.
    public var budget: Duration
    public var pause: Duration

    public init(budget: Duration = .seconds(60), pause: Duration = .seconds(1)) {
        self.budget = budget
        self.pause = pause
    }

    /// Runs `start` until it succeeds, fails with an error that waiting does not cure, or
    /// the budget is spent (then the last error is thrown). `start` must undo its own
    /// partial work when it throws. `cause` finds the cluster's error in what `start`
    /// throws; `onRetry` hears each error that will be retried and the attempt it ended
    /// (1-based).
    public func run<T>(_ start: () async throws -> T, cause: (any Error) -> any Error = { $0 },
                       onRetry: (_ error: any Error, _ attempt: Int) -> Void) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: budget)
        var attempt = 1
        while true {
            do {
                return try await start()
            } catch where Self.isTransient(cause(error)) && clock.now.advanced(by: pause) < deadline {
                onRetry(error, attempt)
                attempt += 1
                try await Task.sleep(for: pause)
            }
        }
    }

    /// True for a cluster that answered the connection but not (yet) a request: a timeout,
    /// no responders, a lost leader. False for a cluster no server of answers (the admin
    /// must act: wrong address, firewall, servers down) and for every refusal.
    public static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let jetStream as JetStreamError:
            if case .unreachable = jetStream { return false }
            if case .closed = jetStream { return false }
            return jetStream.isUnavailable
        case let shared as SharedStateError:
            if case .unavailable(let jetStream) = shared { return isTransient(jetStream) }
            return false
        case let bus as BusError:
            if case .logUnavailable = bus { return true }
            return false
        default:
            return false
        }
    }
}
