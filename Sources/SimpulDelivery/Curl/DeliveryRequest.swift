/// One attempt to POST an event to a receiver (or, for the admin CLI, one API call).
public struct DeliveryRequest: Sendable {
    /// The HTTP methods the client sends. Webhooks are POST; the admin CLI also reads
    /// (GET), edits (PATCH) and deletes (DELETE) through the admin API.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", patch = "PATCH", put = "PUT", delete = "DELETE"

        /// GET and DELETE carry no body: curl sends none even when `body` is not empty.
        public var sendsBody: Bool { self == .post || self == .patch || self == .put }
    }

    /// The endpoint, `http://` or `https://`.
    public var url: String
    /// POST unless said otherwise.
    public var method: Method
    /// The exact bytes to send (and that were signed).
    public var body: [UInt8]
    /// Extra headers (`Content-Type`, `Idempotency-Key`, the `webhook-*` headers), in order.
    public var headers: [(name: String, value: String)]
    /// The whole attempt's limit: resolve, connect, TLS, send and receive.
    public var timeout: Duration

    /// The default per-attempt timeout (DESIGN.md: 10 s).
    public static let defaultTimeout: Duration = .seconds(10)

    /// Creates a request.
    public init(url: String, method: Method = .post, body: [UInt8] = [], headers: [(name: String, value: String)] = [],
                timeout: Duration = defaultTimeout) {
        self.url = url
        self.method = method
        self.body = body
        self.headers = headers
        self.timeout = timeout
    }
}

/// What one attempt produced: the receiver's answer and/or why there was none.
public struct DeliveryResponse: Sendable {
    /// The HTTP status, nil when no response arrived.
    public let status: Int?
    /// Wall time of the attempt, measured around `curl_easy_perform`.
    public let duration: Duration
    /// The transport error, nil when a complete response (or a capped one) arrived.
    public let error: DeliveryError?
    /// The start of the response body, at most `responseBytesMax` bytes (for the attempt history).
    public let body: [UInt8]
    /// True when the receiver sent more than `responseBytesMax` and the rest was not read.
    public let bodyTruncated: Bool
    /// The raw `Retry-After` header of the final response, if any (parse with `RetryAfter`).
    public let retryAfter: String?
    /// The address actually connected to, as curl reports it.
    public let connectedAddress: String?

    /// Creates a response (the client does; fakes of `DeliveryTransport` do too).
    public init(status: Int?, duration: Duration, error: DeliveryError?, body: [UInt8] = [],
                bodyTruncated: Bool = false, retryAfter: String? = nil, connectedAddress: String? = nil) {
        self.status = status
        self.duration = duration
        self.error = error
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.retryAfter = retryAfter
        self.connectedAddress = connectedAddress
    }

    /// The classification of this attempt (RELIABILITY.md D3).
    public var outcome: DeliveryOutcome { .classify(status: status, error: error) }
}
