/// Stops hammering a receiver that keeps failing (DESIGN.md Delivery, RELIABILITY.md D3):
/// after `threshold` consecutive failed attempts it opens and sends nothing; after a
/// cooldown that doubles with each failed probe (up to `cooldownMaxMs`) it lets one probe
/// through; a successful probe closes it.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half-open" }

    public struct Settings: Sendable, Equatable {
        public var threshold = 5
        public var cooldownMs: Int64 = 30_000
        public var cooldownMaxMs: Int64 = 30 * 60_000
        public init() {}
    }

    public let settings: Settings
    public private(set) var state = State.closed
    public private(set) var consecutiveFailures = 0
    /// While open: when the next probe may go.
    public private(set) var probeAtMs: Int64 = 0
    private var cooldownMs: Int64
    /// A probe is on the wire: nothing else goes until it answers.
    private var probing = false

    public init(settings: Settings = Settings()) {
        self.settings = settings
        cooldownMs = settings.cooldownMs
    }

    /// Whether an attempt may start now; a `true` while open or half-open is the probe.
    public mutating func mayStart(nowMs: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard nowMs >= probeAtMs else { return false }
            state = .halfOpen
            probing = true
            return true
        case .halfOpen:
            guard !probing else { return false }
            probing = true
            return true
        }
    }

    /// Records an attempt's result; returns the state change, if any, for the ops events.
    public mutating func record(success: Bool, nowMs: Int64) -> State? {
        if success {
            consecutiveFailures = 0
            probing = false
            cooldownMs = settings.cooldownMs
            guard state != .closed else { return nil }
            state = .closed
            return .closed
        }
        consecutiveFailures += 1
        switch state {
        case .closed:
            guard consecutiveFailures >= settings.threshold else { return nil }
        case .halfOpen:
            cooldownMs = min(cooldownMs * 2, settings.cooldownMaxMs)
        case .open:
            return nil  // an attempt that was already on the wire when the breaker opened
        }
        probing = false
        state = .open
        probeAtMs = nowMs + cooldownMs
        return .open
    }
}
