import Foundation
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulServer

/// `simpul-bench replay`: the admin's side of a receiver outage, through the real `simpul`
/// binary and the admin API of an in-process bus. A stand-in transport answers 500 (the
/// receiver is down) or 200 at once, so the figures are the bus's and the CLI's, not a
/// network's. Figures: `simpul dlq replay --subscription` over 10,000 entries (goal ≥ 2,000
/// entries/s), the time until all of them were delivered and the DLQ was empty, and
/// `simpul dlq list` with 100,000 entries in the DLQ (goal < 1 s).
enum ReplayBench {
    static let replayEntries = Int(ProcessInfo.processInfo.environment["SIMPUL_BENCH_REPLAY_ENTRIES"] ?? "") ?? 10_000
    static let listEntries = Int(ProcessInfo.processInfo.environment["SIMPUL_BENCH_LIST_ENTRIES"] ?? "") ?? 100_000

    /// A receiver that is down (500) or up (200), answering at once.
    final class SwitchableReceiver: AsyncDeliveryTransport {
        let up = Locked(false)
        func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
            DeliveryResponse(status: up.withLock { $0 } ? 200 : 500, duration: .microseconds(50), error: nil)
        }
    }

    static func run(json: Bool) throws {
        let simpul = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("simpul").path
        guard FileManager.default.isExecutableFile(atPath: simpul) else {
            throw BenchError("\(simpul) is missing: swift build -c release --product simpul")
        }
        let root = FileManager.default.currentDirectoryPath + "/.build/bench-replay"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let receiver = SwitchableReceiver()
        let live = try blocking { try await IngestBench.busServer(directory: root + "/data") }
        var settings = DeliverySettings()
        // The breaker must not open while every event fails on purpose: all of them go to the DLQ.
        settings.breaker.threshold = 10_000_000
        settings.breaker.cooldownMs = 1000
        settings.breaker.cooldownMaxMs = 1000
        let delivery = settings
        let engine = try blocking { try await live.bus.startDelivery(sender: receiver, settings: delivery, logger: IngestBench.quietLogger()) }
        let cli = CLI(path: simpul, server: "http://127.0.0.1:\(live.port)", token: live.token, directory: root)
        try cli.run(["subs", "add", "bench", "--topic", "city.population.person", "--url", "https://receiver.example/hook", "--retry-delays", "0"])

        // 10,000 dead letters, then the receiver comes back and they are replayed.
        try cli.publish(people: 0..<replayEntries)
        try waitForDLQ(engine, count: replayEntries)
        receiver.up.withLock { $0 = true }
        let start = DispatchTime.now().uptimeNanoseconds
        try cli.run(["dlq", "replay", "--subscription", "bench", "--yes"])
        let replaySeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try waitForDLQ(engine, count: 0)
        let drainedSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        BenchResult(name: "replay.cli_entries_per_s", value: Double(replayEntries) / replaySeconds, unit: "entries/s").print(json: json)
        BenchResult(name: "replay.delivered_and_dlq_empty_entries_per_s", value: Double(replayEntries) / drainedSeconds,
                    unit: "entries/s").print(json: json)

        // 100,000 dead letters for the listing.
        receiver.up.withLock { $0 = false }
        try cli.publish(people: replayEntries..<(replayEntries + listEntries))
        try waitForDLQ(engine, count: listEntries)
        let listSeconds = try bestSeconds(repeats: 3) { try cli.run(["dlq", "list"]) }
        BenchResult(name: "replay.dlq_list_\(listEntries)_entries", value: listSeconds * 1000, unit: "ms").print(json: json)
        let jsonPageSeconds = try bestSeconds(repeats: 3) { try cli.run(["dlq", "list", "--json", "--limit", "1000"]) }
        BenchResult(name: "replay.dlq_list_json_page_1000_of_\(listEntries)", value: jsonPageSeconds * 1000, unit: "ms").print(json: json)
        try blocking { await live.server.shutdown(); await live.bus.close() }
    }

    /// Waits (at most 10 minutes) until the DLQ holds `count` entries.
    static func waitForDLQ(_ engine: DeliveryEngine, count: Int) throws {
        let deadline = Date().addingTimeInterval(600)
        var progressAt = Date().addingTimeInterval(10)
        while Date() < deadline {
            let total = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total
            if total == count { return }
            if Date() > progressAt {
                FileHandle.standardError.write(Data("waiting for the DLQ: \(total) of \(count) entries\n".utf8))
                progressAt = Date().addingTimeInterval(10)
            }
            usleep(20_000)
        }
        throw BenchError("the DLQ did not reach \(count) entries in 10 minutes")
    }

    /// Runs the `simpul` binary against the bench's server; output is discarded, failure throws.
    struct CLI {
        let path: String
        let server: String
        let token: String
        let directory: String

        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments + ["--server", server, "--token", token]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw BenchError("simpul \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
            }
        }

        /// Publishes one SIAK person per index (distinct NIKs: birth day × serial).
        func publish(people range: Range<Int>) throws {
            var text = "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME\n"
            for index in range {
                let day = String(format: "%02d", index / 9999 + 1), serial = String(format: "%04d", index % 9999 + 1)
                text += "647101\(day)0390\(serial);6471010101200001;WARGA \(index);BALIKPAPAN;\(day)-03-1990;LAKI-LAKI;ISLAM;KAWIN;PEDAGANG;"
                    + "JL. A;005;002;1001;MANGGAR;01;BALIKPAPAN TIMUR;71;KOTA BALIKPAPAN;64;KALIMANTAN TIMUR\n"
            }
            let file = directory + "/people-\(range.lowerBound).csv"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try run(["publish", "population", file, "--batch-records", "5000"])
        }
    }
}
