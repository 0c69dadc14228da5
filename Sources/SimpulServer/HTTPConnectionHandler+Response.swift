import Logging
import NIOCore
import NIOHTTP1

extension HTTPConnectionHandler {
    /// Runs the application on the concurrency pool and writes its answer back on this
    /// channel's event loop.
    func invokeHandler(_ request: HTTPRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: HTTPResponse.self)
        let handler = self.handler
        server.addRunningHandlers(1)
        promise.completeWithTask { await handler.handle(request) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            // Counted down here, on the loop, so that shutdown never closes an event loop a
            // handler task still has to complete its promise on.
            self.server.addRunningHandlers(-1)
            guard case .answering = self.phase else { return }  // the client went away meanwhile
            switch result {
            case .success(let response):
                self.logger.trace(
                    "request answered",
                    metadata: [
                        "http.method": "\(head.method.rawValue)", "http.path": "\(request.path)",
                        "http.status": "\(response.status)",
                    ])
                self.writeResponse(response, to: head, keepAlive: head.isKeepAlive && !self.inputClosed, context: context)
            case .failure(let error):
                // completeWithTask only fails if the task is cancelled; answer rather than hang.
                self.logger.error("handler task failed", metadata: ["error": "\(error)"])
                let bug = HTTPResponse.error(
                    status: 500, code: "internal_error",
                    message: "the request handler did not complete; this is a bug, please report it")
                self.writeResponse(bug, to: head, keepAlive: false, context: context)
            }
        }
    }

    /// Answers with a server rejection and closes the connection afterwards.
    ///
    /// - Parameter requestComplete: `true` when nothing more of this request will arrive
    ///   (a parser error), so the connection closes as soon as the response is written.
    func reject(_ rejection: ServerRejection, context: ChannelHandlerContext, requestComplete: Bool) {
        var metadata: Logger.Metadata = [
            "http.status": "\(rejection.status)", "http.code": "\(rejection.code)",
            "http.remote": "\(context.channel.remoteAddress?.ipAddress ?? "?")",
        ]
        if case .malformed(let reason) = rejection {
            metadata["http.reason"] = "\(reason)"  // parser and target errors name no header value
        }
        logger.debug("request rejected", metadata: metadata)
        // Whatever was read counts against limit + drain budget, so the total read for a
        // rejected request stays bounded no matter when the limit was noticed.
        let readSoFar = max(0, bodyBytesRead - limits.bodyBytesMax)
        phase = .rejecting(drainBytesLeft: max(0, limits.rejectedBodyDrainBytesMax - readSoFar))
        rejectionWritten = false
        rejectedRequestComplete = requestComplete
        finishRequest()
        clock.responseBegan()
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")  // version and method only
        let written = writeFramedResponse(rejection.response, to: head, keepAlive: false, context: context)
        written.assumeIsolated().whenComplete { _ in
            self.rejectionWritten = true
            guard case .rejecting(let left) = self.phase else { return }
            if self.rejectedRequestComplete || left == 0 {
                self.phase = .closing
                context.close(promise: nil)
                return
            }
            context.eventLoop.assumeIsolated().scheduleTask(in: self.limits.lingerTimeout) {
                guard case .rejecting = self.phase else { return }
                self.phase = .closing
                context.close(promise: nil)
            }
        }
    }

    /// Writes the application's response and goes back to waiting (or closes).
    func writeResponse(
        _ response: HTTPResponse, to head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        finishRequest()
        clock.responseFinished()
        // Set before the end is written: NIO's pipeline handler delivers a buffered pipelined
        // request from inside that write, and it must find this handler idle.
        phase = keepAlive ? .idle : .closing
        let written = writeFramedResponse(response, to: head, keepAlive: keepAlive, context: context)
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Writes head, body and end with `Content-Length` set; the body is left out for `HEAD`.
    /// Returns the future of the end write.
    private func writeFramedResponse(
        _ response: HTTPResponse, to request: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        var response = response
        if let problem = ResponseCheck.problem(in: response) {
            logger.error("handler response refused", metadata: ["http.problem": "\(problem)"])
            response = .error(status: 500, code: "internal_error", message: "\(problem); this is a bug, please report it")
        }
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "connection": continue
            default: headers.add(name: name, value: value)
            }
        }
        if ResponseCheck.hasContentLength(status: response.status) {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let version: HTTPVersion = request.version.major == 1 ? request.version : .http1_1
        let responseHead = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !response.body.isEmpty, request.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        return context.writeAndFlush(wrapOutboundOut(.end(nil)))
    }
}
