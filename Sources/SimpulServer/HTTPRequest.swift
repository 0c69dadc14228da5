import NIOHTTP1

/// One HTTP request, fully received, as the application sees it.
///
/// The server builds it once the whole body has arrived within the configured limits, so a
/// handler never sees a partial body. Values are plain Swift types: the application does not
/// need NIO to read a request. Safe to pass between tasks.
public struct HTTPRequest: Sendable {
    /// The request method (`GET`, `POST`, …).
    public var method: HTTPMethod
    /// The percent-decoded path without the query, e.g. `/v1/sources/kependudukan/records`.
    public var path: String
    /// The path as it was sent, still percent-encoded; the router splits this one into
    /// segments so that an encoded `/` (`%2F`) stays inside its segment.
    public var rawPath: String
    /// Percent-decoded query parameters (`+` means a space); for a repeated key the last wins.
    public var query: [String: String]
    /// Header fields in the order received; names keep the sender's spelling.
    public var headers: [(name: String, value: String)]
    /// The whole request body (at most `HTTPServerConfiguration.bodyBytesMax` bytes).
    public var body: [UInt8]
    /// The peer's IP address, when the socket has one.
    public var remoteAddress: String?
    /// Values of the `{name}` segments of the matched route; filled by `Router`.
    public var pathParameters: [String: String]

    /// Creates a request; the server uses this, and so can tests that call a handler directly.
    public init(
        method: HTTPMethod,
        path: String,
        rawPath: String? = nil,
        query: [String: String] = [:],
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        remoteAddress: String? = nil,
        pathParameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.rawPath = rawPath ?? path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.pathParameters = pathParameters
    }

    /// The value of the first header field named `name`, compared case-insensitively
    /// (ASCII), or `nil` when the request has none.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of the header fields named `name`, in the order received.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }
}
