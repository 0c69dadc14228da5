import ArgumentParser
import Dispatch
import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulServer

#if canImport(Glibc)
import Glibc
#endif

/// `simpul serve`: opens the bus (recovering the log), serves the HTTP API, and on
/// SIGINT or SIGTERM stops accepting, finishes in-flight requests, syncs and closes.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bus: HTTP ingest and admin API over the embedded log (or a NATS JetStream cluster).",
        discussion: "With no --config it runs the embedded default: 127.0.0.1:8080, log under ./data, adapters from ./adapters.")

    @Option(name: .long, help: "JSON config file (see deploy/simpul.example.json).")
    var config: String?

    @Option(name: .long, help: "Data directory of the embedded log (overrides the config).")
    var dataDir: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT (overrides the config).")
    var listen: String?

    @Option(name: .long, help: "Folder with one sub-folder per adapter (overrides the config).")
    var adaptersDir: String?

    @Option(name: .long, help: "Log format: text (readable, the default) or json (one object per line on standard output).")
    var logFormat: String?

    @Flag(name: .long, help: "Let subscriptions deliver to loopback and private addresses (local receivers, tests).")
    var allowPrivateNetworks = false

    @Flag(name: .long, help: ArgumentHelp(
        "Run on a JetStream cluster with fewer than 3 replicas or without sync_interval: always.",
        discussion: "Acknowledged events can then be lost when a server crashes or loses power."))
    var acceptDataLossRisk = false

    func run() async throws {
        var settings: ServeConfiguration
        do {
            settings = try config.map { try ServeConfiguration.load(file: $0, acceptDataLossRisk: acceptDataLossRisk) }
                ?? ServeConfiguration()
            if let dataDir { settings.bus.dataDirectory = dataDir }
            if let adaptersDir { settings.bus.adaptersDirectory = adaptersDir }
            if let listen { try settings.setListen(listen, key: "--listen") }
            if let logFormat { try settings.setLogFormat(logFormat, key: "--log-format") }
            if allowPrivateNetworks {
                settings.delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true,
                                                                allowList: settings.delivery.addressPolicy.allowList)
            }
            try settings.http.validate()
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        signal(SIGPIPE, SIG_IGN)  // a closed stdout or a vanished peer is an error to handle, not death
        let log = ServeLog.bootstrap(settings.logFormat)
        // One server per data directory: a second one (or an offline backup) is refused.
        let lock: DataDirectoryLock
        do {
            try FileManager.default.createDirectory(atPath: settings.bus.dataDirectory, withIntermediateDirectories: true)
            lock = try DataDirectoryLock.acquire(settings.bus.dataDirectory)
        } catch {
            log.error("cannot start: \(error)")
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }
        let started: ServeStart
        do {
            started = try await ServeStart.open(settings, log: log)
        } catch {
            log.error("\(error)")
            throw ExitCode(1)
        }
        let (bus, sender, sharedDelivery) = (started.bus, started.sender, started.sharedDelivery)
        let server = HTTPServer(configuration: settings.http, handler: APIRouter.make(bus: bus, probes: Probes()), logger: log.logger)
        let port: Int
        do {
            port = try await server.start()
        } catch {
            log.error("cannot listen on \(settings.http.host):\(settings.http.port): \(error)")
            await bus.close()
            await sharedDelivery?.close()
            throw ExitCode(1)
        }
        let url = "http://\(settings.http.host):\(port)"
        if settings.http.port == 0 {  // the first tokens were written before the port was known
            do {
                try TokenBootstrap.replaceServerURL("http://\(settings.http.host):0", with: url, in: settings.tokenFile)
            } catch {
                log.warning("cannot record \(url) in the token file \(settings.tokenFile): \(error)")
            }
        }
        let topicsWhere = settings.jetStream.map { "topics on NATS JetStream at \($0.servers.joined(separator: ", ")), " } ?? ""
        log.info("listening on \(url) (\(topicsWhere)data in \(settings.bus.dataDirectory), adapters: "
                 + "\(bus.adapterNames.joined(separator: ", ")), tokens fingerprint \(bus.tokens.fingerprint)); Ctrl-C stops",
                 ["http.url": "\(url)", "data.directory": "\(settings.bus.dataDirectory)"])
        let configFile = config
        let reloads = Reload.onHangup { Task { await Reload.run(configFile: configFile, bus: bus, log: log) } }
        // Retention (old segments, old delivery attempts) every five minutes.
        let maintenance = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(300))
                do { try await bus.enforceRetention() } catch { log.error("retention: \(error)") }
            }
        }
        let signal = await waitForTerminationSignal()
        reloads.cancel()
        maintenance.cancel()
        log.info("\(signal) received, finishing in-flight requests")
        bus.beginShutdown()
        await server.shutdown()
        await bus.close()
        await sharedDelivery?.close()
        sender.shutdown()
        log.info("stopped cleanly")
    }
}

/// Suspends until SIGINT or SIGTERM arrives; returns its name.
func waitForTerminationSignal() async -> String {
    await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
        let once = Locked(false)
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = once.withLock { fired in
                    defer { fired = true }
                    return !fired
                }
                if first { continuation.resume(returning: name) }
            }
            source.resume()
            sources.append(source)
        }
        retainedSignalSources.withLock { $0 = sources }
    }
}

/// Keeps the signal sources alive for the life of the process.
private let retainedSignalSources = Locked<[any DispatchSourceSignal]>([])
