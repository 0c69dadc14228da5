import Foundation
import SimpulJetStream
import SimpulLog

/// The loads of `simpul-bench peers` other than HTTP: Simpul's `JetStreamLogStore` with
/// concurrent appenders, and `redis-benchmark` driving `XADD`.
enum PeersLoads {
    /// Single-record appends from `appenders` tasks for `seconds`, each record keyed by a
    /// unique event id (so `Nats-Msg-Id` is set, as for a published event); records/s.
    static func jetStreamStoreRate(_ store: JetStreamLogStore, topic: TopicName, appenders: Int, seconds: Double,
                                   payload: [UInt8], idPrefix: String) async throws -> Double {
        let start = Date()
        let deadline = start.addingTimeInterval(seconds)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<appenders {
                group.addTask {
                    var count = 0
                    while Date() < deadline {
                        let id = Array("\(idPrefix)-\(worker)-\(count)".utf8)
                        _ = try await store.append([AppendRecord(key: id, value: payload)], topic: topic, partition: 0)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / Date().timeIntervalSince(start)
    }

    /// Opens a store on one server whose sync policy is `policy`, with a fresh one-partition
    /// topic. R1 on one server: the risk is accepted for the bench, as the table says.
    static func jetStreamStore(url: String, policy: JetStreamSettings.ServerSyncPolicy,
                               topic: TopicName) async throws -> JetStreamLogStore {
        let settings = JetStreamSettings(servers: [url], replicas: 1, serverSyncPolicy: policy,
                                         acceptDataLossRisk: true, requestTimeoutMs: 30_000)
        let store = try await JetStreamLogStore(settings: settings)
        try await store.createTopic(topic, partitions: 1)
        return store
    }

    /// `redis-benchmark` sending `requests` `XADD s * f <payload>` over `clients`
    /// connections, `pipeline` commands in flight on each; requests/s from its CSV line.
    static func redisRate(port: Int, clients: Int, pipeline: Int, requests: Int, payload: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-benchmark")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-c", "\(clients)", "-n", "\(requests)",
                             "-P", "\(pipeline)", "--csv", "XADD", "bench", "*", "f", payload]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "test","rps","avg_latency_ms",…  then  "XADD bench * f xxx…","10080.65",…
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("\"XADD") }
        guard process.terminationStatus == 0, let line = lines.last else {
            throw BenchError("redis-benchmark printed no result:\n\(text.prefix(2000))")
        }
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard fields.count >= 8, let rate = Double(fields[fields.count - 7]) else {
            throw BenchError("redis-benchmark's CSV line has no rate: \(line.prefix(200))")
        }
        return rate
    }
}
