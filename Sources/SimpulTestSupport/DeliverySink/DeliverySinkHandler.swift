import Foundation
import NIOCore
import NIOHTTP1

/// One connection of the sink: collects each request, records it, and answers as the mode
/// says — at once, never, slowly, or with a body streamed as fast as the client reads it.
/// It sits after NIO's `HTTPServerPipelineHandler`, which hands over one request at a time.
/// Loop-confined, like any handler.
final class DeliverySinkHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request body above this is answered `413` and the connection closed.
    static let requestBytesMax = 16 << 20
    /// The piece a huge body is written in.
    static let streamChunkBytes = 64 << 10

    private let state: DeliverySinkState
    private var connection = 0
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    /// Bytes of a huge body still to write, and whether to keep the connection afterwards.
    private var streaming: (bytesLeft: Int, keepAlive: Bool)?

    init(state: DeliverySinkState) {
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let number = state.opened(context.channel) else {
            context.close(promise: nil)  // the sink went down as this connection arrived
            return
        }
        connection = number
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.closed(context.channel)
        streaming = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            bodyTooLarge = false
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > Self.requestBytesMax {
                bodyTooLarge = true
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            complete(requestHead, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if streaming != nil && context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func complete(_ requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = requestHead.isKeepAlive
        guard !bodyTooLarge else {
            return respond(status: 413, headers: [], keepAlive: false, context: context)
        }
        let answer: DeliverySinkAnswer
        if state.needsWholeRequest {
            answer = state.receive(DeliverySink.Request(
                method: requestHead.method.rawValue, path: requestHead.uri,
                headers: requestHead.headers.map { ($0.name, $0.value) }, body: Array(buffer: body),
                receivedAt: Date(), receivedInstant: .now, connection: connection))
        } else {
            answer = state.receive(webhookID: requestHead.headers.first(name: "webhook-id"), at: .now)
        }
        switch answer {
        case .status(let status, let headers):
            respond(status: status, headers: headers, keepAlive: keepAlive, context: context)
        case .hang:
            break  // recorded; the client gives up and closes
        case .close:
            context.close(promise: nil)
        case .slowBody(let status, let bytes, let chunkBytes, let interval):
            writeHead(status: status, contentLength: bytes, headers: [], keepAlive: keepAlive, context: context)
            writeSlowly(bytesLeft: bytes, chunkBytes: chunkBytes, interval: interval, keepAlive: keepAlive, context: context)
        case .hugeBody(let status, let bytes):
            writeHead(status: status, contentLength: bytes, headers: [], keepAlive: keepAlive, context: context)
            streaming = (bytes, keepAlive)
            pump(context: context)
        }
    }

    private func respond(status: Int, headers: [(String, String)], keepAlive: Bool, context: ChannelHandlerContext) {
        let text: [UInt8] = status == 204 || status == 304 ? [] : Array((status < 300 ? "ok\n" : "sink answers \(status)\n").utf8)
        writeHead(status: status, contentLength: text.count, headers: headers, keepAlive: keepAlive, context: context)
        if !text.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: text)))), promise: nil)
        }
        end(keepAlive: keepAlive, context: context)
    }

    private func writeHead(status: Int, contentLength: Int, headers: [(String, String)], keepAlive: Bool,
                           context: ChannelHandlerContext) {
        var fields = HTTPHeaders(headers)
        if status != 204 && status != 304 { fields.add(name: "Content-Length", value: String(contentLength)) }
        if !keepAlive { fields.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    private func end(keepAlive: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Writes the huge body while the socket takes it; `channelWritabilityChanged` resumes it.
    private func pump(context: ChannelHandlerContext) {
        while let (bytesLeft, keepAlive) = streaming, context.channel.isActive {
            guard bytesLeft > 0 else {
                streaming = nil
                end(keepAlive: keepAlive, context: context)
                return
            }
            guard context.channel.isWritable else { return }
            let count = min(bytesLeft, Self.streamChunkBytes)
            let chunk = context.channel.allocator.buffer(repeating: UInt8(ascii: "a"), count: count)
            streaming = (bytesLeft - count, keepAlive)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        }
    }

    private func writeSlowly(bytesLeft: Int, chunkBytes: Int, interval: Duration, keepAlive: Bool,
                             context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        guard bytesLeft > 0 else { return end(keepAlive: keepAlive, context: context) }
        let count = min(bytesLeft, chunkBytes)
        let chunk = context.channel.allocator.buffer(repeating: UInt8(ascii: "s"), count: count)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        let (seconds, attoseconds) = interval.components
        let delay = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.writeSlowly(bytesLeft: bytesLeft - count, chunkBytes: chunkBytes, interval: interval,
                             keepAlive: keepAlive, context: context)
        }
    }
}
