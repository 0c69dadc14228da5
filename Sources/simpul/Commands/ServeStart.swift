import SimpulAPI
import SimpulBus
import SimpulDelivery

/// What `simpul serve` opens before its port: the bus, the first tokens, delivery.
struct ServeStart {
    let bus: Bus
    let sender: CurlMultiSender
    /// On JetStream the deliveries are shared with the cluster's other nodes.
    let sharedDelivery: JetStreamSharedDelivery?

    /// A step of the start that failed, with the words `simpul serve` logs before exiting.
    struct Failure: Error, CustomStringConvertible {
        let step: String
        let underlying: any Error
        var description: String { "\(step): \(underlying)" }
    }

    /// Opens everything, or closes what it opened and throws a `Failure`. On JetStream a
    /// start that meets a leader election is retried (`ClusterStartRetry`), so a node
    /// restarted right after a NATS server died waits for the cluster instead of exiting.
    static func open(_ settings: ServeConfiguration, log: ServeLog) async throws(Failure) -> ServeStart {
        guard settings.jetStream != nil else { return try await openOnce(settings, log: log) }
        do {
            let underlying = { (error: any Error) in (error as? Failure).map { $0.underlying } ?? error }
            return try await ClusterStartRetry().run({ try await openOnce(settings, log: log) }, cause: underlying) { error, attempt in
                log.warning("start attempt \(attempt): the NATS cluster answered but not in time (\(underlying(error))); "
                            + "a stream may be electing a new leader after a server stopped, retrying in 1 s")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(step: "cannot start", underlying: error)
        }
    }

    private static func openOnce(_ settings: ServeConfiguration, log: ServeLog) async throws(Failure) -> ServeStart {
        let bus: Bus
        do {
            bus = try await settings.openBus()
        } catch {
            throw Failure(step: "cannot start", underlying: error)
        }
        for report in bus.log.recoveryReports where !report.isClean {
            log.warning("recovery: \(report.summary)", ["partition.directory": "\(report.directory)"])
        }
        if settings.jetStream != nil, let leftovers = EmbeddedLeftovers.warning(bus) { log.warning(leftovers) }
        // Tokens exist before the port opens: nobody can find the server without them.
        do {
            let url = "http://\(settings.http.host):\(settings.http.port)"
            let lines = try TokenBootstrap.runIfNeeded(bus: bus, tokenFile: settings.tokenFile, serverURL: url)
            if !lines.isEmpty {
                switch settings.logFormat {
                case .text:
                    for line in lines { log.info(line) }
                case .json:
                    // Never into a log: a log is kept, copied and shipped; the file is 0600.
                    log.info("first start: created the admin token and one publisher token per adapter; "
                             + "they are in the token file only (mode 0600)", ["token.file": "\(settings.tokenFile)"])
                }
            }
        } catch {
            await bus.close()
            throw Failure(step: "cannot write the first tokens", underlying: error)
        }
        var sharedDelivery: JetStreamSharedDelivery?
        var openedSender: CurlMultiSender?
        do {
            let sender = try CurlMultiSender()
            openedSender = sender
            if let jetStream = settings.jetStream {
                sharedDelivery = try await JetStreamSharedDelivery(
                    settings: jetStream, holder: JetStreamSharedDelivery.uniqueHolder(), leaseTtl: settings.deliveryLeaseTtl)
            }
            _ = try await bus.startDelivery(sender: sender, settings: settings.delivery,
                                            subscriptions: settings.subscriptions, logger: log.logger,
                                            shared: sharedDelivery?.delivery)
            return ServeStart(bus: bus, sender: sender, sharedDelivery: sharedDelivery)
        } catch {
            await bus.close()
            await sharedDelivery?.close()
            openedSender?.shutdown()
            throw Failure(step: "cannot start delivery", underlying: error)
        }
    }
}
