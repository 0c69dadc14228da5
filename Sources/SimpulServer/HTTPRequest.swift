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
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of the header fields named `name`, in the order received.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// The media type of `Content-Type` in lower case without parameters or blanks
    /// (`application/json` for `Application/JSON ; charset=utf-8`); nil without the header.
    public var mediaType: String? {
        guard let value = header("Content-Type") else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let type = value.utf8.prefix { $0 != UInt8(ascii: ";") }.drop(while: isBlank)
        let end = type.lastIndex { !isBlank($0) }.map { type.index(after: $0) } ?? type.startIndex
        return String(decoding: type[..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// ASCII case-insensitive equality of header names, without lower-casing copies (this
    /// runs several times per request).
    static func sameName(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        return zip(left.utf8, right.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
