/// What one attempt means for the event: delivered, worth another attempt, or dead-lettered.
///
/// The table (DESIGN.md Delivery, RELIABILITY.md D3):
///
/// | response                                   | outcome     |
/// |--------------------------------------------|-------------|
/// | 2xx                                        | success     |
/// | 408, 425, 429, 5xx                         | retryable   |
/// | other 4xx                                  | permanent   |
/// | 1xx, 3xx (redirects are never followed)    | permanent   |
/// | timeout, DNS, connection, TLS, other curl  | retryable   |
/// | cancelled (task cancelled, shut down)      | retryable   |
/// | invalid URL, blocked by SSRF guard, setup  | permanent   |
public enum DeliveryOutcome: Equatable, Sendable {
    /// The receiver accepted the event.
    case success
    /// The attempt failed in a way a later attempt may not; the reason is for the attempt history.
    case retryable(reason: String)
    /// Retrying cannot help: the event goes to the dead-letter queue now.
    case permanent(reason: String)

    /// Classifies one attempt. A status received wins over a transport error, because the
    /// receiver has then answered (for example a 2xx whose body we stopped reading).
    /// - Parameters:
    ///   - status: the HTTP status, or nil (or 0) when no response arrived.
    ///   - error: the transport error, if any.
    public static func classify(status: Int?, error: DeliveryError?) -> DeliveryOutcome {
        if let status, status > 0 { return classify(status: status) }
        guard let error else { return .retryable(reason: "no HTTP response and no transport error") }
        return classify(error: error)
    }

    private static func classify(status: Int) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            return .success
        case 408, 425, 429, 500..<600:
            return .retryable(reason: "HTTP \(status)")
        case 400..<500:
            return .permanent(reason: "HTTP \(status): the receiver refused the request; retrying will not change it")
        case 300..<400:
            return .permanent(reason: "HTTP \(status): redirects are not followed; set the endpoint to the final URL")
        default:
            return .permanent(reason: "HTTP \(status): not a final status a webhook receiver should send")
        }
    }

    private static func classify(error: DeliveryError) -> DeliveryOutcome {
        switch error {
        case .timeout, .dnsFailure, .connectionRefused, .connectionFailed, .tls, .other, .cancelled:
            return .retryable(reason: error.description)
        case .invalidURL, .blockedByPolicy, .setup:
            return .permanent(reason: error.description)
        }
    }
}
