import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SimpulLog

/// A webhook receiver on 127.0.0.1 for delivery tests and benchmarks: a real HTTP/1.1
/// server (SwiftNIO, keep-alive) with fault modes switchable at run time, which records
/// every request and counts connections.
///
/// ```swift
/// let sink = try DeliverySink()
/// defer { sink.shutdown() }
/// try sink.setMode(.failFirst(count: 3))
/// // … subscribe sink.url(path: "/hooks"), publish …
/// XCTAssertTrue(await sink.waitForDistinctWebhookIDs(count: 100, timeout: .seconds(10)))
/// ```
///
/// On one event loop thread it answers well over 20k keep-alive requests/s in a release
/// build (`simpul-bench deliver` measures it with wrk).
///
/// Concurrency: safe from any thread. Its methods block briefly (binding and closing the
/// listener), so from async code they hold a cooperative thread for milliseconds at most.
/// Call `shutdown()` when done: it stops the event loop threads.
public final class DeliverySink: Sendable {
    /// The sink could not start or re-listen.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The address listened on.
    public let host: String
    /// The port listened on (chosen by the system at start, kept when re-listening).
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let state: DeliverySinkState
    private let listener: Locked<(any Channel)?>
    /// Serialises mode changes, so closing and re-opening the listener never interleave.
    private let modeChange = NSLock()

    /// Starts listening on `host` at a free port.
    /// - Parameters:
    ///   - threads: event loop threads (1 is plenty for tests; 2 for benchmarks on more cores).
    ///   - recording: `.everything` for tests, `.webhookIDsOnly` for long benchmarks.
    /// - Throws: `Failure` when the address cannot be bound.
    public init(host: String = "127.0.0.1", threads: Int = 1, recording: Recording = .everything) throws {
        precondition(threads >= 1, "a sink needs at least one thread")
        self.host = host
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let state = DeliverySinkState(recording: recording)
        let channel: any Channel
        do {
            channel = try Self.bind(host: host, port: 0, group: group, state: state)
        } catch {
            try? group.syncShutdownGracefully()
            throw Failure(description: "the delivery sink could not listen on \(host): \(error)")
        }
        self.group = group
        self.state = state
        self.port = channel.localAddress?.port ?? 0
        self.listener = Locked(channel)
    }

    private static func bind(host: String, port: Int, group: MultiThreadedEventLoopGroup,
                             state: DeliverySinkState) throws -> any Channel {
        try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(DeliverySinkHandler(state: state))
                }
            }
            .bind(host: host, port: port).wait()
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    public var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }

    /// The URL of `path` (which starts with `/`) on this sink.
    public func url(path: String) -> String { url + path }

    /// The current mode (`.accept` at start).
    public var mode: Mode { state.currentMode }

    /// Switches how the sink answers from the next request on. Entering
    /// `.refuseConnections` closes the listener and drops every open connection; leaving it
    /// listens on the same port again.
    /// - Throws: `Failure` when the port cannot be bound again (another process took it).
    public func setMode(_ newMode: Mode) throws {
        try modeChange.withLock {
            let wasRefusing = Self.isRefusing(state.currentMode)
            let refusing = Self.isRefusing(newMode)
            state.setMode(newMode)
            if refusing && !wasRefusing {
                let channel = listener.withLock { channel in
                    defer { channel = nil }
                    return channel
                }
                try? channel?.close().wait()
                for open in state.takeOpenChannels() { try? open.close().wait() }
            } else if wasRefusing && !refusing {
                try listenAgain()
            }
        }
    }

    private static func isRefusing(_ mode: Mode) -> Bool {
        if case .refuseConnections = mode { return true }
        return false
    }

    /// Binds the same port again; a connection closed a moment ago may hold it briefly.
    private func listenAgain() throws {
        var lastError: (any Error)?
        for _ in 0..<100 {
            do {
                let channel = try Self.bind(host: host, port: port, group: group, state: state)
                listener.withLock { $0 = channel }
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        throw Failure(description: "the delivery sink could not listen on \(host):\(port) again: \(lastError.map { "\($0)" } ?? "?")")
    }

    // MARK: What was received

    /// Every request so far, in arrival order (empty with `.webhookIDsOnly`).
    public var requests: [Request] { state.requests }
    /// Requests received (complete ones), every mode included.
    public var requestCount: Int { state.requestCount }
    /// Connections accepted since start (or `reset()`).
    public var connectionCount: Int { state.connectionCount }
    /// Connections open now.
    public var openConnectionCount: Int { state.openConnectionCount }
    /// Requests received per `webhook-id`: more than 1 means retries or duplicates.
    public var requestsPerWebhookID: [String: Int] { state.requestsPerWebhookID }
    /// The distinct `webhook-id`s received.
    public var distinctWebhookIDs: Set<String> { Set(state.requestsPerWebhookID.keys) }
    /// How many distinct `webhook-id`s were received.
    public var distinctWebhookIDCount: Int { state.distinctWebhookIDCount }
    /// When each `webhook-id` first arrived, on the monotonic clock.
    public var firstArrivals: [String: ContinuousClock.Instant] { state.firstArrivals }

    /// Forgets what was received and the connection count (the mode stays).
    public func reset() { state.reset() }

    // MARK: Waiting

    /// Waits until `condition` holds, checking every 5 ms; false on timeout.
    public func waitUntil(timeout: Duration, _ condition: (DeliverySink) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// The blocking form of `waitUntil`, for synchronous tests.
    public func waitUntil(timeout: Duration, _ condition: (DeliverySink) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return true
    }

    /// Waits until at least `count` requests arrived; false on timeout.
    public func waitForRequests(count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { $0.requestCount >= count }
    }

    public func waitForRequests(count: Int, timeout: Duration) -> Bool {
        waitUntil(timeout: timeout) { $0.requestCount >= count }
    }

    /// Waits until at least `count` distinct `webhook-id`s arrived; false on timeout.
    public func waitForDistinctWebhookIDs(count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { $0.distinctWebhookIDCount >= count }
    }

    public func waitForDistinctWebhookIDs(count: Int, timeout: Duration) -> Bool {
        waitUntil(timeout: timeout) { $0.distinctWebhookIDCount >= count }
    }

    // MARK: Stopping

    /// Closes the listener and every connection and stops the event loop threads. Call once.
    public func shutdown() {
        let channel = listener.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? channel?.close().wait()
        for open in state.takeOpenChannels() { try? open.close().wait() }
        try? group.syncShutdownGracefully()
    }
}
