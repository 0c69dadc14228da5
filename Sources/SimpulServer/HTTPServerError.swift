/// Why the server could not start; each message says what to do.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is out of range.
    case invalidConfiguration(key: String, fix: String)
    /// Binding the address failed (in use, not local, no permission).
    case bindFailed(host: String, port: Int, reason: String)
    /// `start()` was called twice, or after `shutdown()`.
    case alreadyStarted

    /// The admin-facing sentence.
    public var description: String {
        switch self {
        case .invalidConfiguration(let key, let fix):
            "invalid server setting \(key): \(fix)"
        case .bindFailed(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason); stop the process using it or choose another address"
        case .alreadyStarted:
            "the HTTP server was already started; create a new HTTPServer to start again"
        }
    }
}
