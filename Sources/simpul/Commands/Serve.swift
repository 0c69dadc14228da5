import ArgumentParser
import Dispatch
import Foundation
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// `simpul serve`: opens the embedded log and runs until SIGINT or SIGTERM, then closes
/// it cleanly (every queued append finished and synced).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the bus on its embedded log.")

    @Option(name: .long, help: "Data directory of the embedded log.")
    var dataDir = "./data"

    func run() async throws {
        let log: Log
        do {
            log = try Log.open(directory: dataDir)
        } catch {
            printError("cannot open the log in \(dataDir): \(error)")
            throw ExitCode(1)
        }
        for report in log.recoveryReports where !report.isClean {
            printError("recovery: \(report.summary)")
        }
        print("simpul: serving the embedded log in \(dataDir) (\(log.topicNames.count) topics); Ctrl-C stops")
        let signal = await waitForTerminationSignal()
        print("simpul: \(signal) received, closing the log")
        await log.close()
        print("simpul: stopped cleanly")
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
        withExtendedLifetime(sources) {}
        retainedSignalSources.withLock { $0 = sources }
    }
}

/// Keeps the signal sources alive for the life of the process.
private let retainedSignalSources = Locked<[any DispatchSourceSignal]>([])
