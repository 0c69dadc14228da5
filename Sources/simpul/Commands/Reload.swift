import Dispatch
import Foundation
import SimpulAPI
import SimpulBus
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP (`systemctl reload simpul`): read the config file's subscriptions, the adapters and the token file again,
/// without dropping a connection. Each part that is invalid is refused with its reason and
/// the running one is kept; settings that need a restart (listen address, data directory,
/// limits) are not touched.
enum Reload {
    static func run(configFile: String?, bus: Bus, log: ServeLog) async {
        var done: [String] = []
        if let configFile {
            do {
                let fresh = try ServeConfiguration.load(file: configFile)
                try await bus.delivery?.configure(fresh.subscriptions)
                done.append("\(fresh.subscriptions.count) configured subscriptions")
            } catch {
                log.error("SIGHUP: the config file was refused, the running configuration stays: \(error)")
            }
        }
        do {
            try bus.reloadAdapters()
            done.append("adapters " + bus.adapterNames.joined(separator: ", "))
        } catch {
            log.error("SIGHUP: the adapters on disk are invalid, the running ones stay: \(error)")
        }
        do {
            try bus.tokens.reload()
            done.append("\(bus.tokens.all.filter { $0.revokedAt == nil }.count) active tokens (fingerprint \(bus.tokens.fingerprint))")
        } catch {
            log.error("SIGHUP: the token file was refused, the running tokens stay: \(error)")
        }
        log.info("SIGHUP: reloaded " + (done.isEmpty ? "nothing" : done.joined(separator: "; ")))
    }

    /// Calls `body` on every SIGHUP until the source is cancelled (without it SIGHUP would
    /// end the process).
    static func onHangup(_ body: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: body)
        source.resume()
        return source
    }
}
