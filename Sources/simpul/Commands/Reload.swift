import Dispatch
import Foundation
import SimpulAPI
import SimpulBus
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP: read the config file's subscriptions, the adapters and the token file again,
/// without dropping a connection. Each part that is invalid is refused with its reason and
/// the running one is kept; settings that need a restart (listen address, data directory,
/// limits) are not touched.
enum Reload {
    static func run(configFile: String?, bus: Bus) async {
        var done: [String] = []
        if let configFile {
            do {
                let fresh = try ServeConfiguration.load(file: configFile)
                try await bus.delivery?.configure(fresh.subscriptions)
                done.append("\(fresh.subscriptions.count) configured subscriptions")
            } catch {
                printError("reload: the config file was refused, the running configuration stays: \(error)")
            }
        }
        do {
            try bus.reloadAdapters()
            done.append("adapters " + bus.adapterNames.joined(separator: ", "))
        } catch {
            printError("reload: the adapters were refused, the running ones stay: \(error)")
        }
        do {
            try bus.tokens.reload()
            done.append("\(bus.tokens.all.filter { $0.revokedAt == nil }.count) active tokens")
        } catch {
            printError("reload: the token file was refused, the running tokens stay: \(error)")
        }
        print("simpul: SIGHUP: reloaded " + (done.isEmpty ? "nothing" : done.joined(separator: "; ")))
        fflush(nil)
    }

    /// Calls `body` on every SIGHUP for the life of the process.
    static func onHangup(_ body: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: body)
        source.resume()
        hangupSource.withLock { $0 = source }
    }
}

private let hangupSource = Locked<(any DispatchSourceSignal)?>(nil)
