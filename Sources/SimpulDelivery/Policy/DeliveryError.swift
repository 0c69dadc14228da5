/// Why an attempt got no usable HTTP response: each case says what failed and where.
///
/// `DeliveryOutcome.classify` decides which of these are worth retrying.
public enum DeliveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The endpoint URL is not an `http` or `https` URL curl can use.
    case invalidURL(String)
    /// The whole attempt took longer than its timeout.
    case timeout(milliseconds: Int)
    /// The host name did not resolve.
    case dnsFailure(host: String, detail: String)
    /// The address answered with a reset: nothing listens on that port.
    case connectionRefused(detail: String)
    /// The connection could not be made or broke (unreachable, reset, closed early).
    case connectionFailed(detail: String)
    /// The SSRF guard refused the address curl was about to connect to.
    case blockedByPolicy(AddressRefusal)
    /// The TLS handshake or certificate verification failed.
    case tls(detail: String)
    /// The client could not be set up (a curl option was refused, a file is missing).
    case setup(detail: String)
    /// Any other curl failure, with its code and curl's own message.
    case other(curlCode: Int, detail: String)
    /// The attempt was abandoned before a response arrived (the sending task was cancelled,
    /// or the sender shut down); whatever was sent, the outcome is unknown.
    case cancelled(reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            "endpoint URL \(url) is not a valid http or https URL; fix the subscription's endpoint"
        case .timeout(let milliseconds):
            "no complete response within \(milliseconds) ms; the receiver is slow or hangs"
        case .dnsFailure(let host, let detail):
            "host \(host) did not resolve (\(detail)); check the endpoint's DNS name"
        case .connectionRefused(let detail):
            "connection refused (\(detail)); nothing listens at the endpoint's address and port"
        case .connectionFailed(let detail):
            "connection failed (\(detail))"
        case .blockedByPolicy(let refusal):
            "blocked by the SSRF guard: \(refusal)"
        case .tls(let detail):
            "TLS failed (\(detail)); check the receiver's certificate or the subscription's CA file"
        case .setup(let detail):
            "delivery client setup failed: \(detail)"
        case .other(let code, let detail):
            "curl error \(code): \(detail)"
        case .cancelled(let reason):
            "attempt abandoned before a response arrived (\(reason)); the event is still undelivered"
        }
    }
}
