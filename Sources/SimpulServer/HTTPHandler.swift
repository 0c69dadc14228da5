/// The application behind the server: one call per complete request.
///
/// The server calls `handle` on Swift concurrency's pool, never on an event loop, so it may
/// await (a log append, a lookup). It is called concurrently for different connections and
/// must be safe from any task. A handler that never returns holds its connection until
/// `HTTPServer.shutdown()` gives up waiting, so bound your own work. A client that goes away
/// meanwhile is noticed only when the response is written (NIO does not read a connection
/// whose response is pending), so its body stays counted in the in-flight budget until then.
public protocol HTTPHandler: Sendable {
    /// Answers one request. There is no error channel: a failure is a response (`4xx`, or
    /// `5xx` for a bug) with the JSON error body of `HTTPResponse.error`.
    func handle(_ request: HTTPRequest) async -> HTTPResponse
}
