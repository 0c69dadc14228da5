/// The responses the server itself sends when a limit or the protocol is violated.
///
/// Each has a stable code and a message that tells the client what to change. They are
/// sent before any handler runs, always with `Connection: close`.
enum ServerRejection {
    case bodyTooLarge(limit: Int)
    case headersTooLarge(countMax: Int, bytesMax: Int)
    case malformed(reason: String)
    case overloaded(retryAfterSeconds: Int)
    case requestTimeout

    var status: Int {
        switch self {
        case .bodyTooLarge: 413
        case .headersTooLarge: 431
        case .malformed: 400
        case .overloaded: 503
        case .requestTimeout: 408
        }
    }

    /// The stable code of the error body.
    var code: String {
        switch self {
        case .bodyTooLarge: "body_too_large"
        case .headersTooLarge: "headers_too_large"
        case .malformed: "bad_request"
        case .overloaded: "overloaded"
        case .requestTimeout: "request_timeout"
        }
    }

    var response: HTTPResponse {
        switch self {
        case .bodyTooLarge(let limit):
            .error(
                status: status, code: "body_too_large",
                message: "the request body exceeds \(limit) bytes; split the batch into smaller requests")
        case .headersTooLarge(let countMax, let bytesMax):
            .error(
                status: status, code: "headers_too_large",
                message: "the request has more than \(countMax) header fields or more than \(bytesMax) bytes of target and headers; send fewer or shorter headers")
        case .malformed(let reason):
            .error(status: status, code: "bad_request", message: "malformed HTTP request: \(reason)")
        case .overloaded(let seconds):
            .error(
                status: status, code: "overloaded",
                message: "the server is at its limit of concurrent work; retry after \(seconds) s",
                headers: [("Retry-After", String(seconds))])
        case .requestTimeout:
            .error(
                status: status, code: "request_timeout",
                message: "the request was not received in time; send the whole request without pauses")
        }
    }

    /// The whole response as HTTP/1.1 bytes, for places that write below the HTTP encoder
    /// (before a request head exists, or when refusing a connection).
    var wireBytes: [UInt8] {
        let response = self.response
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + response.body
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
