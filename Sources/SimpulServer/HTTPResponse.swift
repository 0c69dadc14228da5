/// A complete HTTP response produced by a handler.
///
/// The server sets `Content-Length` from `body` (any `Content-Length` or
/// `Transfer-Encoding` given here is replaced) and adds `Connection: close` when the
/// connection is going to close. Safe to pass between tasks.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. `202`.
    public var status: Int
    /// Header fields to send, in order.
    public var headers: [(String, String)]
    /// The body bytes; for a `HEAD` request only their count is sent, as `Content-Length`.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `json` (already serialised) with
    /// `Content-Type: application/json`.
    public static func json(status: Int, _ json: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "application/json")] + headers,
            body: Array(json.utf8))
    }

    /// The project's error shape, `{"error":{"code":…,"message":…}}`.
    ///
    /// - Parameters:
    ///   - status: the HTTP status, a `4xx` for a client mistake; a `5xx` means a bug or overload.
    ///   - code: a stable machine-readable code in snake case, e.g. `body_too_large`.
    ///   - message: a sentence for the admin or client developer that says what to do.
    ///   - headers: extra headers, e.g. `Allow` or `Retry-After`.
    public static func error(
        status: Int, code: String, message: String, headers: [(String, String)] = []
    ) -> HTTPResponse {
        .json(status: status, JSONText.errorBody(code: code, message: message), headers: headers)
    }

    /// The first header value named `name` (case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}
