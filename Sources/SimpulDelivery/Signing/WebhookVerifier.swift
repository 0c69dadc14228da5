/// The receiving side of Standard Webhooks, for tests, the local example receiver and
/// admins' own systems: checks the three headers against one or more secrets and rejects
/// stale or future timestamps (replay protection).
///
/// Several secrets let a receiver accept both the old and the new secret during rotation.
/// Immutable and `Sendable`: safe from any task.
public struct WebhookVerifier: Sendable {
    /// Standard Webhooks' default: a timestamp more than 5 minutes off is refused.
    public static let defaultToleranceSeconds: Int64 = 300

    private let signers: [WebhookSigner]
    /// How far the timestamp may be from `now`, either way.
    public let toleranceSeconds: Int64

    /// Creates a verifier accepting any of `secrets` (`whsec_…`).
    /// - Throws: `WebhookSecretError` for the first malformed secret, or `.emptyKey` when
    ///   there is none at all.
    public init(secrets: [String], toleranceSeconds: Int64 = defaultToleranceSeconds) throws(WebhookSecretError) {
        guard !secrets.isEmpty else { throw .emptyKey }
        var signers: [WebhookSigner] = []
        for secret in secrets { signers.append(try WebhookSigner(secret: secret)) }
        self.signers = signers
        self.toleranceSeconds = toleranceSeconds
    }

    /// Verifies one received request.
    /// - Parameters:
    ///   - headers: the request's headers; names are matched case-insensitively.
    ///   - body: the exact bytes received.
    ///   - now: the receiver's clock, seconds since the Unix epoch.
    /// - Throws: `WebhookVerificationError` saying which check failed.
    public func verify(headers: [String: String], body: [UInt8], now: Int64) throws(WebhookVerificationError) {
        let lowered = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let id = lowered[WebhookSigner.idHeader] else { throw .missingHeader(WebhookSigner.idHeader) }
        guard let stamp = lowered[WebhookSigner.timestampHeader] else {
            throw .missingHeader(WebhookSigner.timestampHeader)
        }
        guard let signature = lowered[WebhookSigner.signatureHeader] else {
            throw .missingHeader(WebhookSigner.signatureHeader)
        }
        guard let timestamp = Int64(stamp) else { throw .invalidTimestamp(stamp) }
        let (skew, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, skew.magnitude <= toleranceSeconds.magnitude else {
            throw .timestampOutOfTolerance(timestamp: timestamp, now: now, toleranceSeconds: toleranceSeconds)
        }
        guard signers.contains(where: { $0.verify(id: id, timestamp: timestamp, body: body, signatureHeader: signature) })
        else { throw .signatureMismatch }
    }
}

/// Why a received webhook did not verify.
public enum WebhookVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingHeader(String)
    case invalidTimestamp(String)
    case timestampOutOfTolerance(timestamp: Int64, now: Int64, toleranceSeconds: Int64)
    case signatureMismatch

    public var description: String {
        switch self {
        case .missingHeader(let name): "header \(name) is missing; the sender does not speak Standard Webhooks"
        case .invalidTimestamp(let value): "webhook-timestamp \"\(value)\" is not whole seconds since the epoch"
        case .timestampOutOfTolerance(let timestamp, let now, let tolerance):
            "webhook-timestamp \(timestamp) is \(now - timestamp) s from now (\(now)), more than \(tolerance) s: a replay or a wrong clock"
        case .signatureMismatch: "no v1 signature matches the body with any configured secret"
        }
    }
}
