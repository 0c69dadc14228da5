import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

extension HTTPServer {
    /// Stops the server gracefully.
    ///
    /// Closes the listening socket, lets requests already received finish (NIO's pipeline
    /// handler closes each connection after its current response; idle ones at once), waits
    /// at most `shutdownGracePeriod`, then closes whatever is still open. The event loops
    /// are shut down once no handler task can still complete on them; a handler that never
    /// returns leaves them running, with a warning in the log. Safe to call more than once
    /// and from any task; returns when done.
    public func shutdown() async {
        let running: (group: MultiThreadedEventLoopGroup, channel: any Channel)? = lifecycle.withLock {
            guard case .running(let group, let channel) = $0 else {
                if case .idle = $0 { $0 = .stopped }
                return nil
            }
            $0 = .stopped
            return (group, channel)
        }
        guard let running else { return }
        logger.info("HTTP server stopping", metadata: ["http.in_flight_requests": "\(state.statistics.inFlightRequests)"])
        try? await running.channel.close()
        for channel in state.stopAccepting() {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let state = self.state
        let drained = await Self.wait(for: configuration.shutdownGracePeriod) { state.statistics.openConnections == 0 }
        if !drained {
            let remaining = state.openChannels
            logger.warning(
                "closing connections still busy after the shutdown grace period",
                metadata: ["http.connections": "\(remaining.count)"])
            for channel in remaining { channel.close(promise: nil) }
        }
        let handlersDone = await Self.wait(for: .seconds(1)) {
            let statistics = state.statistics
            return statistics.openConnections == 0 && statistics.runningHandlers == 0
        }
        guard handlersDone else {
            logger.warning(
                "request handlers still running after shutdown; leaving their event loops alive",
                metadata: ["http.running_handlers": "\(state.statistics.runningHandlers)"])
            return
        }
        try? await running.group.shutdownGracefully()
        logger.info("HTTP server stopped")
    }

    /// Polls `condition` every 10 ms for at most `limit`; returns whether it became true.
    private static func wait(for limit: TimeAmount, until condition: @Sendable () -> Bool) async -> Bool {
        let deadline = NIODeadline.now() + limit
        while !condition() {
            guard NIODeadline.now() < deadline else { return false }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return true
    }
}
