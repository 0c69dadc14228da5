import Foundation

extension DeliverySink {
    /// How the sink answers, switchable at run time with `setMode(_:)` (RELIABILITY.md D1–D6).
    public enum Mode: Sendable {
        /// Every request gets `status` (204, 200, 400, 404, 500 …) with a short body.
        case respond(status: Int)
        /// The next `count` requests get `status` (500 by default), the ones after get `thenStatus`.
        /// The count starts when the mode is set.
        case failFirst(count: Int, status: Int = 500, thenStatus: Int = 204)
        /// Requests for which `matches` is true get `status`, the others `otherwise`, until
        /// the mode is changed (for example one partition key's receiver failing). The
        /// predicate runs on the sink's event loop: keep it quick, and do not call the sink.
        case failMatching(status: Int = 500, otherwise: Int = 204, matches: @Sendable (Request) -> Bool)
        /// The request is read and recorded, and never answered: the client times out.
        case hang
        /// The port is closed: the listener stops and open connections are dropped, so a
        /// connect is refused. Setting any other mode listens on the same port again.
        case refuseConnections
        /// `429 Too Many Requests` with `Retry-After: retryAfter` (seconds, or an HTTP date).
        case rateLimited(retryAfter: String)
        /// `status` with a `bytes`-long body sent `chunkBytes` at a time, one chunk per `interval`.
        case slowBody(status: Int = 200, bytes: Int, chunkBytes: Int, interval: Duration)
        /// `status` with a `bytes`-long body streamed as fast as the client reads it (never
        /// held in memory), to test the client's response cap (D5: 1 GiB).
        case hugeBody(status: Int = 200, bytes: Int)
        /// `302 Found` (or `status`) with `Location: url` (S1: a redirect to loopback).
        case redirect(to: String, status: Int = 302)

        /// `204 No Content`: the receiver accepted the event.
        public static let accept = Mode.respond(status: 204)
        /// `400 Bad Request`: a permanent refusal.
        public static let reject = Mode.respond(status: 400)
        /// `429` with `Retry-After` in seconds.
        public static func rateLimited(seconds: Int) -> Mode { .rateLimited(retryAfter: String(seconds)) }
    }

    /// What the sink keeps of each request.
    public enum Recording: Sendable, Equatable {
        /// Every request with its headers and body (tests).
        case everything
        /// Only counts per `webhook-id` and each id's first arrival (benchmarks: no per-request memory).
        case webhookIDsOnly
    }

    /// One request as the sink received it.
    public struct Request: Sendable {
        public let method: String
        /// The request target (path and query).
        public let path: String
        /// Header fields in arrival order, names as sent.
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]
        /// Wall-clock time the request was complete.
        public let receivedAt: Date
        /// The same moment on the monotonic clock, for latencies.
        public let receivedInstant: ContinuousClock.Instant
        /// Which connection carried it: 1 for the first the sink accepted, and so on.
        public let connection: Int

        /// The first value of a header, by case-insensitive name.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// The Standard Webhooks id (= the event id for Simpul's deliveries).
        public var webhookID: String? { header("webhook-id") }

        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }
}
