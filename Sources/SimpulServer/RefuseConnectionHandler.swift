import NIOCore

/// Answers a connection the server cannot take (over `connectionCountMax`, or shutting
/// down) with a fixed `503 overloaded` and closes it, without reading a request.
///
/// The response is written below any HTTP handler: no request is parsed for a connection
/// that is refused, which is the point of refusing it.
final class RefuseConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let response: [UInt8]

    init(retryAfterSeconds: Int) {
        self.response = ServerRejection.overloaded(retryAfterSeconds: retryAfterSeconds).wireBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(bytes: response)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Discarded: the connection is refused whatever it sends.
    }
}
