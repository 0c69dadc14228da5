import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1.1 server: NIO's parser and pipelining, Simpul's limits, one application.
///
/// ```swift
/// let server = HTTPServer(configuration: config, handler: router, logger: logger)
/// let port = try await server.start()
/// // … until SIGTERM
/// await server.shutdown()
/// ```
/// Safe from any task. `start()` once; `shutdown()` any number of times.
public final class HTTPServer: Sendable {
    enum Lifecycle {
        case idle
        case starting
        case running(group: MultiThreadedEventLoopGroup, channel: any Channel)
        case stopped
    }

    let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    let logger: Logger
    let state: ServerState
    let lifecycle = LockedValue(Lifecycle.idle)

    /// Creates a server; nothing is bound until `start()`.
    ///
    /// - Parameters:
    ///   - configuration: address and limits; validated by `start()`.
    ///   - handler: the application, usually a `Router`.
    ///   - logger: receives connection and rejection events at `debug`/`trace`, problems at
    ///     `warning`; header values are never logged (they may hold tokens).
    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.state = ServerState(
            connectionCountMax: configuration.connectionCountMax,
            inFlightBytesMax: configuration.inFlightBytesMax)
    }

    /// Current counters (connections, in-flight requests and bytes, …), for `/metrics`.
    public var statistics: HTTPServerStatistics { state.statistics }

    /// Requests received and not yet fully answered.
    public var inFlightRequestCount: Int { state.statistics.inFlightRequests }

    /// Validates the configuration, binds and starts accepting connections.
    ///
    /// - Returns: the bound port (the one the system chose when the configuration says 0).
    /// - Throws: `HTTPServerError` naming the bad setting, the address that could not be
    ///   bound, or a second start.
    public func start() async throws -> Int {
        try configuration.validate()
        let claimed = lifecycle.withLock { lifecycle in
            guard case .idle = lifecycle else { return false }
            lifecycle = .starting
            return true
        }
        guard claimed else { throw HTTPServerError.alreadyStarted }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threadCount)
        let channel: any Channel
        do {
            channel = try await makeBootstrap(group: group)
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            try? await group.shutdownGracefully()
            lifecycle.withLock { $0 = .stopped }
            throw HTTPServerError.bindFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        lifecycle.withLock { $0 = .running(group: group, channel: channel) }
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("HTTP server listening", metadata: ["http.host": "\(configuration.host)", "http.port": "\(port)"])
        return port
    }

    private func makeBootstrap(group: MultiThreadedEventLoopGroup) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // A client may send its request and then shut down its side; it still gets the
            // answer (HTTPConnectionHandler closes once it is written).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Reads of at most 16 KiB keep the bytes read past a rejected body's budget small.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16 << 10))
            .childChannelInitializer { channel in
                self.initialize(channel)
            }
    }

    /// Builds one connection's pipeline, or refuses the connection.
    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        let configuration = self.configuration
        guard state.admit(channel) else {
            logger.debug("connection refused", metadata: ["http.remote": "\(channel.remoteAddress?.ipAddress ?? "?")"])
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    RefuseConnectionHandler(retryAfterSeconds: configuration.retryAfterSeconds))
            }
        }
        let state = self.state
        channel.closeFuture.whenComplete { _ in state.remove(channel) }
        let logger = self.logger
        let handler = self.handler
        return channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            let clock = RequestClockHandler(
                requestHeadTimeout: configuration.requestHeadTimeout, requestTimeout: configuration.requestTimeout
            ) { reason in
                logger.debug("closing a slow or idle connection", metadata: ["reason": "\(reason)"])
            }
            // Stops reading while the peer does not read our responses: a client that
            // pipelines requests and never reads would otherwise grow the outbound buffer.
            try sync.addHandler(BackPressureHandler())
            try sync.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
            try sync.addHandler(clock)
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldCount = configuration.headerCountMax
            decoderLimits.maxHeaderListSize = configuration.headerBytesMax
            decoderLimits.maxHeaderFieldSize = configuration.headerBytesMax
            try sync.configureHTTPServerPipeline(
                withErrorHandling: false,  // HTTPConnectionHandler answers parser errors with JSON
                withEncoderConfiguration: HTTPResponseEncoder.Configuration(),
                withDecoderLimitConfiguration: decoderLimits)
            let limits = HTTPConnectionHandler.Limits(
                bodyBytesMax: configuration.bodyBytesMax,
                rejectedBodyDrainBytesMax: configuration.rejectedBodyDrainBytesMax,
                headerCountMax: configuration.headerCountMax, headerBytesMax: configuration.headerBytesMax,
                retryAfterSeconds: configuration.retryAfterSeconds, lingerTimeout: configuration.lingerTimeout)
            try sync.addHandler(
                HTTPConnectionHandler(limits: limits, handler: handler, server: state, clock: clock, logger: logger))
        }
    }
}
