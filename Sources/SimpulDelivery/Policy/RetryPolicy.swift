/// When to try again: a schedule of waits, full jitter, and `Retry-After` honoured up to a cap.
///
/// `delays[n]` is the nominal wait before attempt `n + 1`; `delays[0]` is the wait before the
/// first attempt (normally zero). The number of attempts is `delays.count`.
/// Immutable and `Sendable`: safe from any task; randomness comes in through the caller's
/// generator so a schedule replays from a seed.
public struct RetryPolicy: Equatable, Sendable {
    /// About 24 hours over 10 attempts: immediately, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h,
    /// 3 h, 6 h, 12 h (the Svix schedule, which receivers already know).
    public static let defaultDelays: [Duration] = [
        .zero, .seconds(5), .seconds(30), .seconds(120), .seconds(600),
        .seconds(1_800), .seconds(3_600), .seconds(10_800), .seconds(21_600), .seconds(43_200),
    ]
    /// A receiver's `Retry-After` is honoured up to this, so one header cannot park an
    /// event for days.
    public static let defaultRetryAfterMax: Duration = .seconds(3_600)
    /// More attempts than this is a configuration mistake, not a policy.
    public static let attemptsLimit = 100

    /// The nominal wait before each attempt.
    public let delays: [Duration]
    /// The longest `Retry-After` honoured.
    public let retryAfterMax: Duration

    /// The default policy.
    public static let standard = RetryPolicy(uncheckedDelays: defaultDelays, retryAfterMax: defaultRetryAfterMax)

    /// Creates a policy.
    /// - Throws: `RetryPolicyError` when there are no attempts, too many, or a negative wait.
    public init(delays: [Duration], retryAfterMax: Duration = defaultRetryAfterMax) throws(RetryPolicyError) {
        guard !delays.isEmpty else { throw .noAttempts }
        guard delays.count <= Self.attemptsLimit else { throw .tooManyAttempts(delays.count) }
        if let index = delays.firstIndex(where: { $0 < .zero }) { throw .negativeDelay(attempt: index + 1) }
        guard retryAfterMax >= .zero else { throw .negativeRetryAfterMax }
        self.init(uncheckedDelays: delays, retryAfterMax: retryAfterMax)
    }

    private init(uncheckedDelays: [Duration], retryAfterMax: Duration) {
        self.delays = uncheckedDelays
        self.retryAfterMax = retryAfterMax
    }

    /// The number of attempts, the first included.
    public var attemptsMax: Int { delays.count }

    /// What to do after attempt number `attempt` (1-based) ended with `outcome`.
    /// - Parameters:
    ///   - retryAfter: the receiver's parsed `Retry-After`, if it sent one; it replaces the
    ///     jittered wait (capped at `retryAfterMax`), so the receiver's request is met exactly.
    ///   - random: the jitter source; pass a `SeededRandom` to replay a schedule.
    public func decide(
        afterAttempt attempt: Int, outcome: DeliveryOutcome, retryAfter: Duration? = nil,
        using random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        precondition(attempt >= 1, "attempts are numbered from 1")
        switch outcome {
        case .success:
            return .delivered
        case .permanent(let reason):
            return .deadLetter(reason: reason)
        case .retryable(let reason):
            guard attempt < attemptsMax else {
                return .deadLetter(reason: "\(reason); gave up after \(attempt) of \(attemptsMax) attempts")
            }
            if let retryAfter { return .retry(after: min(max(retryAfter, .zero), retryAfterMax)) }
            return .retry(after: Self.fullJitter(delays[attempt], using: &random))
        }
    }

    /// A wait drawn uniformly from [0, `nominal`] at millisecond resolution (AWS "full
    /// jitter"): spreads the retries of many failed events so a recovering receiver is not
    /// hit by all of them at once.
    public static func fullJitter(_ nominal: Duration, using random: inout some RandomNumberGenerator) -> Duration {
        let milliseconds = nominal.components.seconds * 1000 + nominal.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0...milliseconds, using: &random))
    }
}

/// The policy's answer after one attempt.
public enum RetryDecision: Equatable, Sendable {
    /// Done: the receiver has the event.
    case delivered
    /// Try again after this wait.
    case retry(after: Duration)
    /// Give up: the event goes to the dead-letter queue with this reason.
    case deadLetter(reason: String)
}

/// Why a retry policy was refused.
public enum RetryPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    case noAttempts
    case tooManyAttempts(Int)
    case negativeDelay(attempt: Int)
    case negativeRetryAfterMax

    public var description: String {
        switch self {
        case .noAttempts: "a retry policy needs at least one attempt (one delay, normally 0 s)"
        case .tooManyAttempts(let count):
            "a retry policy of \(count) attempts is over the limit of \(RetryPolicy.attemptsLimit)"
        case .negativeDelay(let attempt): "the delay before attempt \(attempt) is negative"
        case .negativeRetryAfterMax: "the Retry-After cap is negative"
        }
    }
}
