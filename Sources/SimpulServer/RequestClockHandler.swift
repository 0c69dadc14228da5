import NIOCore

/// Closes connections that are silent too long or deliver a request too slowly.
///
/// It sits right after the socket, before the HTTP decoder, because a client that sends one
/// byte per second never completes a request head: only the raw bytes show that a request
/// has started. Two deadlines count from that first byte: the head must be complete within
/// `requestHeadTimeout` (short: a slowloris client trickling headers is cut early) and the
/// whole request within `requestTimeout` (longer: a large batch on a slow link still gets
/// through); `HTTPConnectionHandler` reports the head and the end. `IdleStateHandler`
/// (placed before this one) reports silence. A request still arriving at either point is answered
/// `408 request_timeout` (unless a response was already started) and the connection is
/// closed; an idle keep-alive connection is just closed. Loop-confined, like any handler.
final class RequestClockHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Between requests: the idle timeout applies.
        case waiting
        /// A request has started arriving: the request deadline runs.
        case receiving
        /// The request is complete and the application is answering: no client deadline.
        case answering
    }

    private let requestHeadTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var phase = Phase.waiting
    private var requestStart = NIODeadline.distantPast
    private var responseStarted = false
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private let onTimeout: (_ reason: String) -> Void

    /// - Parameter onTimeout: told why a connection is closed, for the log.
    init(
        requestHeadTimeout: TimeAmount, requestTimeout: TimeAmount, onTimeout: @escaping (_ reason: String) -> Void
    ) {
        self.requestHeadTimeout = requestHeadTimeout
        self.requestTimeout = requestTimeout
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        requestStarted()
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            switch phase {
            case .waiting:
                onTimeout("idle")
                context.close(promise: nil)
            case .receiving:
                timeOut(reason: "idle during a request")
            case .answering:
                break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    /// A request began (its first byte, or a pipelined head already buffered): start the
    /// head deadline.
    func requestStarted() {
        guard phase == .waiting else { return }
        phase = .receiving
        requestStart = .now()
        arm(at: requestStart + min(requestHeadTimeout, requestTimeout), reason: "request head deadline")
    }

    /// The head is complete: the whole request now has until `requestTimeout` after its first byte.
    func headReceived() {
        guard phase == .receiving else { return }
        arm(at: requestStart + requestTimeout, reason: "request deadline")
    }

    private func arm(at time: NIODeadline, reason: String) {
        deadline?.cancel()
        guard let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(deadline: time) {
            loopBound.value.timeOut(reason: reason)
        }
    }

    /// The whole request arrived: stop the clock while the application answers.
    func requestReceived() {
        deadline?.cancel()
        deadline = nil
        phase = .answering
    }

    /// A response head went out: a timeout can no longer send its own `408`.
    func responseBegan() {
        responseStarted = true
    }

    /// The response is written: wait for the next request.
    func responseFinished() {
        deadline?.cancel()
        deadline = nil
        phase = .waiting
        responseStarted = false
    }

    private func timeOut(reason: String) {
        guard phase == .receiving, let context else { return }
        onTimeout(reason)
        phase = .answering
        deadline = nil
        guard !responseStarted else {
            context.close(promise: nil)
            return
        }
        // Written below the HTTP encoder: there may be no request head to answer yet.
        let bytes = context.channel.allocator.buffer(bytes: ServerRejection.requestTimeout.wireBytes)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
