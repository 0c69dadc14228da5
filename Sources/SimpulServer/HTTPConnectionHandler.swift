import Logging
import NIOCore
import NIOHTTP1

/// Turns the request parts of one connection into `HTTPRequest`s, enforces the body and
/// in-flight limits, runs the application off the event loop and writes its response.
///
/// It sits after NIO's `HTTPServerPipelineHandler`, which delivers one request at a time
/// (pipelined requests wait there) and handles quiescing at shutdown. A rejected request is
/// answered at once with `Connection: close`; the rest of its body is read and discarded up
/// to a small budget, so that the client can read the answer, then the connection closes.
/// Loop-confined, like any handler.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The per-request limits, copied from `HTTPServerConfiguration`.
    struct Limits {
        var bodyBytesMax: Int
        var rejectedBodyDrainBytesMax: Int
        var headerCountMax: Int
        var headerBytesMax: Int
        var retryAfterSeconds: Int
        var lingerTimeout: TimeAmount
    }

    enum Phase {
        /// Waiting for a request head.
        case idle
        /// Head accepted; body arriving.
        case receiving(head: HTTPRequestHead, target: RequestTarget, body: ByteBuffer, chunked: Bool)
        /// The application is answering.
        case answering(head: HTTPRequestHead)
        /// An error response was sent or is being sent; the rest of the request is discarded
        /// up to `drainBytesLeft`, then the connection closes.
        case rejecting(drainBytesLeft: Int)
        /// The last response is written or being written; nothing more is read.
        case closing
    }

    var phase = Phase.idle
    /// Bytes this connection holds in the server-wide in-flight budget.
    var reservedBytes = 0
    /// Whether this connection counts one request in `ServerState`'s in-flight requests.
    var countsInFlightRequest = false
    /// Bytes of the current request's body read so far (kept or discarded).
    var bodyBytesRead = 0
    /// While rejecting: the error response is fully written.
    var rejectionWritten = false
    /// While rejecting: nothing more of the request will arrive.
    var rejectedRequestComplete = false
    /// The client shut down its sending side; the connection closes after the current answer.
    var inputClosed = false

    let limits: Limits
    let handler: any HTTPHandler
    let server: ServerState
    let clock: RequestClockHandler
    let logger: Logger

    init(limits: Limits, handler: any HTTPHandler, server: ServerState, clock: RequestClockHandler, logger: Logger) {
        self.limits = limits
        self.handler = handler
        self.server = server
        self.clock = clock
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            receiveHead(head, context: context)
        case .body(let buffer):
            receiveBody(buffer, context: context)
        case .end:
            receiveEnd(context: context)
        }
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .idle = phase else { return }
        clock.requestStarted()
        clock.headReceived()
        server.addInFlightRequests(1)
        countsInFlightRequest = true
        bodyBytesRead = 0
        let target: RequestTarget
        do {
            target = try RequestTarget.parse(head.uri)
        } catch {
            reject(.malformed(reason: error.reason), context: context, requestComplete: false)
            return
        }
        let declaredLength = head.headers.first(name: "content-length").flatMap { Int($0) }
        if let declaredLength, declaredLength > limits.bodyBytesMax {
            reject(.bodyTooLarge(limit: limits.bodyBytesMax), context: context, requestComplete: false)
            return
        }
        // A declared body is reserved whole before it is read: admission happens here, not
        // half-way through a body that would then be wasted.
        guard reserve(declaredLength ?? 0) else {
            reject(.overloaded(retryAfterSeconds: limits.retryAfterSeconds), context: context, requestComplete: false)
            return
        }
        if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            let informational = HTTPResponseHead(version: head.version, status: .continue)
            context.writeAndFlush(wrapOutboundOut(.head(informational)), promise: nil)
        }
        let body = context.channel.allocator.buffer(capacity: min(declaredLength ?? 0, limits.bodyBytesMax))
        phase = .receiving(head: head, target: target, body: body, chunked: declaredLength == nil)
    }

    private func receiveBody(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        server.addBodyBytesReceived(buffer.readableBytes)
        bodyBytesRead += buffer.readableBytes
        switch phase {
        case .receiving(let head, let target, var body, let chunked):
            guard body.readableBytes + buffer.readableBytes <= limits.bodyBytesMax else {
                reject(.bodyTooLarge(limit: limits.bodyBytesMax), context: context, requestComplete: false)
                return
            }
            if chunked, !reserve(buffer.readableBytes) {
                reject(.overloaded(retryAfterSeconds: limits.retryAfterSeconds), context: context, requestComplete: false)
                return
            }
            phase = .idle  // drops the enum's reference so the append does not copy the body
            body.writeImmutableBuffer(buffer)
            phase = .receiving(head: head, target: target, body: body, chunked: chunked)
        case .rejecting(let drainBytesLeft):
            let left = drainBytesLeft - buffer.readableBytes
            if left <= 0 {
                logger.debug("closing after discarding the rejected body", metadata: ["http.body_bytes_read": "\(bodyBytesRead)"])
                phase = .closing
                context.close(promise: nil)
            } else {
                phase = .rejecting(drainBytesLeft: left)
            }
        case .idle, .answering, .closing:
            break
        }
    }

    private func receiveEnd(context: ChannelHandlerContext) {
        switch phase {
        case .receiving(let head, let target, let body, _):
            clock.requestReceived()
            phase = .answering(head: head)
            let request = HTTPRequest(
                method: head.method, path: target.path, rawPath: target.rawPath, query: target.query,
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: Array(buffer: body), remoteAddress: context.channel.remoteAddress?.ipAddress)
            invokeHandler(request, head: head, context: context)
        case .rejecting:
            // The whole rejected request is read: nothing is left that a close could turn
            // into a reset, so close as soon as the response is out.
            rejectedRequestComplete = true
            if rejectionWritten {
                phase = .closing
                context.close(promise: nil)
            }
        case .idle, .answering, .closing:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            switch phase {
            case .idle, .receiving:
                let rejection: ServerRejection =
                    parserError == .headerOverflow
                    ? .headersTooLarge(countMax: limits.headerCountMax, bytesMax: limits.headerBytesMax)
                    : .malformed(reason: "\(parserError)")
                reject(rejection, context: context, requestComplete: true)
            case .answering, .rejecting, .closing:
                context.close(promise: nil)
            }
            return
        }
        if error is ByteToMessageDecoderError {
            return  // bytes after a parser error; the connection is already closing
        }
        logger.debug("connection error", metadata: ["error": "\(error)"])
        phase = .closing
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The client will send nothing more: answer what can still be answered, then close.
        inputClosed = true
        switch phase {
        case .idle:
            phase = .closing
            context.close(promise: nil)
        case .receiving:
            reject(
                .malformed(reason: "the connection ended in the middle of a request"), context: context,
                requestComplete: true)
        case .answering:
            break  // invokeHandler closes after the response
        case .rejecting:
            rejectedRequestComplete = true
            if rejectionWritten {
                phase = .closing
                context.close(promise: nil)
            }
        case .closing:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closing
        finishRequest()
        context.fireChannelInactive()
    }

    /// Takes `bytes` from the server-wide budget for this connection.
    private func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        guard server.reserve(bytes: bytes) else { return false }
        reservedBytes += bytes
        return true
    }

    /// Returns this request's budget and in-flight count; safe to call more than once.
    func finishRequest() {
        if reservedBytes > 0 {
            server.release(bytes: reservedBytes)
            reservedBytes = 0
        }
        if countsInFlightRequest {
            server.addInFlightRequests(-1)
            countsInFlightRequest = false
        }
    }
}
