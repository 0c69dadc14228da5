import NIOCore

/// Where the server listens and the limits that keep hostile or slow clients from holding it.
///
/// Every limit has a safe default and a name with its unit last; each is enforced with a
/// JSON error body (see `ServerRejection`). `validate()` checks the values and the
/// relations between them once, before the server binds.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    public var host: String = "127.0.0.1"
    /// Port to bind; `0` lets the system pick one (`HTTPServer.start()` returns it).
    public var port: Int = 8080

    /// Largest request body accepted; a larger `Content-Length`, or a streamed body that
    /// passes it, is answered `413 body_too_large`.
    public var bodyBytesMax: Int = 8 << 20
    /// Body bytes past `bodyBytesMax` still read (and discarded) after a `413`, so the client
    /// can read the response before the close (closing on unread data makes the kernel send a
    /// reset); then the connection is closed. With socket reads of at most 16 KiB, one read
    /// may cross the limit and one may cross this budget, so the default keeps the total body
    /// bytes read at most `bodyBytesMax` + 64 KiB (RELIABILITY S4).
    public var rejectedBodyDrainBytesMax: Int = 32 << 10
    /// Most header fields in one request; more is `431 headers_too_large`.
    public var headerCountMax: Int = 100
    /// Most bytes of the request target plus all header names and values (also the bound for
    /// a single field); more is `431 headers_too_large`.
    public var headerBytesMax: Int = 16 << 10
    /// Most open connections; the next one gets `503 overloaded` and is closed.
    public var connectionCountMax: Int = 1024
    /// Request body bytes held in memory across all connections at once; a request that would
    /// pass it gets `503 overloaded` with `Retry-After` instead of waiting in a queue.
    public var inFlightBytesMax: Int = 64 << 20
    /// `Retry-After` sent with `503 overloaded`.
    public var retryAfterSeconds: Int = 1

    /// A connection that sends nothing for this long between or during requests is closed
    /// (`408 request_timeout` if a request had started).
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Time from the first byte of a request to the end of its head; a slower client gets
    /// `408 request_timeout` and the connection is closed. Short, because a head is small:
    /// this is what cuts a client trickling header bytes (slowloris).
    public var requestHeadTimeout: TimeAmount = .seconds(10)
    /// Time from the first byte of a request to its last body byte; a slower client gets
    /// `408 request_timeout` and the connection is closed. The default lets a full
    /// `bodyBytesMax` body through at about 140 KB/s.
    public var requestTimeout: TimeAmount = .seconds(60)
    /// How long `shutdown()` waits for in-flight requests before closing their connections.
    public var shutdownGracePeriod: TimeAmount = .seconds(10)
    /// How long a connection stays open after an error response while the rest of the
    /// rejected request is discarded.
    public var lingerTimeout: TimeAmount = .seconds(2)

    /// Event loop threads; defaults to the number of cores.
    public var threadCount: Int = System.coreCount
    /// The listen backlog of the server socket.
    public var backlog: Int = 256

    /// The defaults: `127.0.0.1:8080`.
    public init() {}

    /// The defaults with another address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Checks each value and the relations between them.
    ///
    /// - Throws: `HTTPServerError.invalidConfiguration` naming the key and the fix.
    public func validate() throws(HTTPServerError) {
        func require(_ ok: Bool, _ key: String, _ fix: String) throws(HTTPServerError) {
            if !ok { throw .invalidConfiguration(key: key, fix: fix) }
        }
        try require((0...65535).contains(port), "port", "use 0…65535 (0 picks a free port)")
        try require(!host.isEmpty, "host", "give an address such as 127.0.0.1")
        try require(bodyBytesMax > 0, "bodyBytesMax", "use a positive byte count")
        try require(rejectedBodyDrainBytesMax >= 0, "rejectedBodyDrainBytesMax", "use 0 or more bytes")
        try require(headerCountMax > 0, "headerCountMax", "use a positive count")
        try require(headerBytesMax >= 256, "headerBytesMax", "use at least 256 bytes")
        try require(connectionCountMax > 0, "connectionCountMax", "use a positive count")
        try require(
            inFlightBytesMax >= bodyBytesMax, "inFlightBytesMax",
            "use at least bodyBytesMax (\(bodyBytesMax)), or no body of the maximum size could ever be accepted")
        try require(retryAfterSeconds > 0, "retryAfterSeconds", "use a positive number of seconds")
        for (key, value) in [
            ("idleTimeout", idleTimeout), ("requestHeadTimeout", requestHeadTimeout),
            ("requestTimeout", requestTimeout),
            ("lingerTimeout", lingerTimeout),
        ] {
            try require(value > .zero, key, "use a positive duration")
        }
        try require(shutdownGracePeriod >= .zero, "shutdownGracePeriod", "use zero or a positive duration")
        try require(threadCount > 0, "threadCount", "use at least 1 thread")
        try require(backlog > 0, "backlog", "use a positive backlog")
    }
}
