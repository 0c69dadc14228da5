import CNATS
import Dispatch
import Foundation

/// One libnats connection and its JetStream context, used on one serial queue.
///
/// libnats calls that wait for the network (requests, a publish waiting for its PubAck) run
/// on this queue, never on Swift's cooperative threads; the queue serializes the client's
/// own state, which only `close` changes, under the publishing lock as well. Pipelined
/// publishes, which wait for nothing, may run on the caller's thread under that lock
/// (`publishing`); libnats itself is thread-safe. That is what makes the `@unchecked
/// Sendable` honest. `nats_GetLastError` is per thread, so an error's text is read on the
/// thread of the failing call.
final class NATSClient: @unchecked Sendable {
    private let queue = DispatchQueue(label: "simpul.jetstream.client")
    /// Held by `publishing` and by `close` while it destroys the context.
    private let publishLock = NSLock()
    private var connection: OpaquePointer?
    private var jetStream: OpaquePointer?
    private var isClosed = false
    let settings: JetStreamSettings
    /// The PubAcks of pipelined appends. libnats may still be running the ack handler on its
    /// own thread when `close` returns (closing does not wait for a callback under way), so
    /// the handler's closure is retained for the process's life, like the watch's.
    let acks = PublishCollector()
    /// Up or down, as libnats last said.
    let watch = ConnectionWatch()
    /// Asynchronous publishes waiting for their PubAck at most, per connection.
    static let publishesInFlightMax = 4096

    init(settings: JetStreamSettings) throws(JetStreamError) {
        self.settings = settings
        var options: OpaquePointer?
        guard natsOptions_Create(&options) == NATS_OK, let options else {
            throw .unreachable(servers: settings.servers, detail: "libnats could not create its options")
        }
        defer { natsOptions_Destroy(options) }
        let urls = settings.servers.map { strdup($0) }
        defer { urls.forEach { free($0) } }
        var constURLs = urls.map { UnsafePointer($0) }
        var status = constURLs.withUnsafeMutableBufferPointer {
            natsOptions_SetServers(options, $0.baseAddress, Int32(settings.servers.count))
        }
        if status == NATS_OK { status = natsOptions_SetTimeout(options, Int64(settings.requestTimeoutMs)) }
        // Keep reconnecting for as long as the process lives: a cluster that comes back after
        // an outage is used again without restarting Simpul (libnats gives up after 60 tries).
        if status == NATS_OK { status = natsOptions_SetMaxReconnect(options, -1) }
        if status == NATS_OK { status = natsOptions_SetReconnectWait(options, 500) }
        let watchPointer = watch.retainedPointer()
        if status == NATS_OK { status = natsOptions_SetDisconnectedCB(options, ConnectionWatch.disconnected, watchPointer) }
        if status == NATS_OK { status = natsOptions_SetReconnectedCB(options, ConnectionWatch.reconnected, watchPointer) }
        if status == NATS_OK { status = natsOptions_SetClosedCB(options, ConnectionWatch.closed, watchPointer) }
        if status == NATS_OK, let credentials = settings.credentialsFile {
            status = natsOptions_SetUserCredentialsFromFiles(options, credentials, nil)
        }
        if status == NATS_OK, let ca = settings.tlsCAFile {
            status = natsOptions_SetSecure(options, true)
            if status == NATS_OK { status = natsOptions_LoadCATrustedCertificates(options, ca) }
        }
        guard status == NATS_OK else {
            throw .invalidSettings("libnats refused the connection options: \(Self.lastError(status))")
        }
        var connection: OpaquePointer?
        status = natsConnection_Connect(&connection, options)
        guard status == NATS_OK, let connection else {
            throw .unreachable(servers: settings.servers, detail: Self.lastError(status))
        }
        var jsOptions = jsOptions()
        jsOptions_Init(&jsOptions)
        jsOptions.Wait = Int64(settings.requestTimeoutMs)
        jsOptions.PublishAsync.AckHandler = PublishCollector.ackHandler
        jsOptions.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(acks).toOpaque()
        // Pipelined publishes beyond this many wait (on the client's queue) for PubAcks.
        jsOptions.PublishAsync.MaxPending = Int64(Self.publishesInFlightMax)
        jsOptions.PublishAsync.StallWait = Int64(settings.requestTimeoutMs)
        var jetStream: OpaquePointer?
        status = natsConnection_JetStream(&jetStream, connection, &jsOptions)
        guard status == NATS_OK, let jetStream else {
            natsConnection_Destroy(connection)
            throw .unreachable(servers: settings.servers, detail: "no JetStream context: \(Self.lastError(status))")
        }
        self.connection = connection
        self.jetStream = jetStream
    }

    /// Runs `body` with the JetStream context on the client's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await runWithConnection { _, jetStream in try body(jetStream) }
    }

    /// Runs `body` with the connection and the JetStream context on the client's queue.
    func runWithConnection<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer, OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { connection in
                continuation.resume(with: Result {
                    let (connection, jetStream) = try connection.get()
                    return try body(connection, jetStream)
                })
            }
        }
    }

    /// Runs `body` on the client's queue with the connection and JetStream context, or the
    /// reason there is none usable now.
    func submit(_ body: @escaping @Sendable (Result<(OpaquePointer, OpaquePointer), JetStreamError>) -> Void) {
        queue.async {
            guard !self.isClosed, let connection = self.connection, let jetStream = self.jetStream else {
                return body(.failure(.closed))
            }
            // While libnats reconnects, a request would wait out its whole timeout (and a
            // publish sit in the reconnect buffer): refuse at once instead.
            guard natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED else {
                let reason = self.watch.reason ?? "the connection to the NATS servers is not up"
                return body(.failure(.unreachable(servers: self.settings.servers, detail: reason)))
            }
            body(.success((connection, jetStream)))
        }
    }

    /// Runs `body` on the calling thread, under the publishing lock rather than on the
    /// queue, with the connection and JetStream context or the reason there is none usable
    /// now. For handing messages to libnats (thread-safe), which waits for no answer: a
    /// publisher saves the hop to the queue and back. `close` takes the same lock, so the
    /// context is never used once destroyed.
    func publishing<T>(_ body: (Result<(OpaquePointer, OpaquePointer), JetStreamError>) -> T) -> T {
        publishLock.withLock {
            guard !isClosed, let connection, let jetStream else { return body(.failure(.closed)) }
            guard natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED else {
                let reason = watch.reason ?? "the connection to the NATS servers is not up"
                return body(.failure(.unreachable(servers: settings.servers, detail: reason)))
            }
            return body(.success((connection, jetStream)))
        }
    }

    /// Closes the connection once, however many callers ask. `beforeClosing` (the owner's
    /// own libnats objects to destroy, say a key-value store) runs in the same queue block,
    /// only on the first close: no call queued behind it can reach what it destroyed, and
    /// nothing is destroyed twice.
    func close(beforeClosing: (@Sendable () -> Void)? = nil) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.publishLock.withLock {
                    guard !self.isClosed else { return }
                    self.isClosed = true
                    beforeClosing?()
                    self.acks.closeAll("the connection to the NATS servers was closed before JetStream answered")
                    if let jetStream = self.jetStream { jsCtx_Destroy(jetStream) }
                    if let connection = self.connection {
                        natsConnection_Close(connection)
                        natsConnection_Destroy(connection)
                    }
                    self.jetStream = nil
                    self.connection = nil
                }
                continuation.resume()
            }
        }
    }

    /// The text libnats keeps for the last failure on this thread, or the status's name.
    static func lastError(_ status: natsStatus) -> String {
        var lastStatus = status
        if let text = nats_GetLastError(&lastStatus) {
            let message = String(cString: text)
            if !message.isEmpty { return message }
        }
        return String(cString: natsStatus_GetText(status))
    }

    /// A failure of `operation`, with JetStream's error code when there is one.
    static func failure(_ operation: String, _ status: natsStatus, _ code: jsErrCode = jsErrCode(0)) -> JetStreamError {
        let codeText = code.rawValue == 0 ? "" : " (JetStream error \(code.rawValue))"
        return .requestFailed(operation: operation, detail: lastError(status) + codeText)
    }
}
