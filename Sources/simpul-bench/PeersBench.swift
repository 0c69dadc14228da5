import Foundation
import SimpulJetStream
import SimpulLog

/// `simpul-bench peers` (issue 8): Simpul beside NATS JetStream and Redis Streams on this
/// machine, 1 KiB events, each with its durability. `bench/peers/run` installs and starts
/// the servers (127.0.0.1, temporary directories) and passes them in the environment:
/// `SIMPUL_PEERS_NATS_LAZY` and `SIMPUL_PEERS_NATS_ALWAYS` (URLs of a server with the
/// default sync and one with `sync_interval: always`) and `SIMPUL_PEERS_REDIS_PORT`.
///
/// Every load runs in slices of `sliceSeconds`, one slice of each load per round, so that
/// each ratio compares loads that met the same machine; a figure is the mean of its slices.
enum PeersBench {
    /// Short slices, many rounds: the disk's sync latency drifts within seconds here, and
    /// the fsync-bound loads compare fairly only when their slices sit close together.
    static let rounds = 5
    static let sliceSeconds = 2.0
    static let appenders = 64
    static let payload = [UInt8](repeating: 0x78, count: 1024)

    static func run(json: Bool) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let lazyURL = environment["SIMPUL_PEERS_NATS_LAZY"], let alwaysURL = environment["SIMPUL_PEERS_NATS_ALWAYS"],
              let redisPort = environment["SIMPUL_PEERS_REDIS_PORT"].flatMap({ Int($0) }) else {
            throw BenchError("the peers' servers are not given: run bench/peers/run (or make bench NAME=peers), which starts them")
        }
        for tool in ["/usr/bin/wrk", "/usr/bin/redis-benchmark"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) is not installed: run bench/peers/run, which installs it")
        }
        let root = environment["SIMPUL_PEERS_DATA"] ?? FileManager.default.currentDirectoryPath + "/.build/bench-peers"
        try? FileManager.default.removeItem(atPath: root + "/simpul")
        try FileManager.default.createDirectory(atPath: root + "/simpul", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root + "/simpul") }

        let live = try blocking { try await IngestBench.busServer(directory: root + "/simpul/data") }
        let singleScript = try IngestBench.script(root + "/simpul", batch: 1, token: live.token)
        let batchScript = try IngestBench.script(root + "/simpul", batch: 100, token: live.token)
        let lazyHTTP = try blocking {
            try await PeersJetStreamBus.server(url: lazyURL, policy: .interval, directory: root + "/simpul/jetstream-lazy")
        }
        let alwaysHTTP = try blocking {
            try await PeersJetStreamBus.server(url: alwaysURL, policy: .always, directory: root + "/simpul/jetstream-always")
        }
        let lazyScript = try IngestBench.script(root + "/simpul/jetstream-lazy", batch: 1, token: lazyHTTP.token)
        let alwaysScript = try IngestBench.script(root + "/simpul/jetstream-always", batch: 1, token: alwaysHTTP.token)
        let topic = try TopicName("bench.peers")
        let lazyStore = try blocking { try await PeersLoads.jetStreamStore(url: lazyURL, policy: .interval, topic: topic) }
        let alwaysStore = try blocking { try await PeersLoads.jetStreamStore(url: alwaysURL, policy: .always, topic: topic) }
        let lazyPlain = try PlainJetStreamPublisher(url: lazyURL, stream: "PLAIN", outstanding: appenders)
        let alwaysPlain = try PlainJetStreamPublisher(url: alwaysURL, stream: "PLAIN", outstanding: appenders)
        let lazyHeaders = try PlainJetStreamPublisher(url: lazyURL, stream: "HEADERS", outstanding: appenders, simpulHeaders: true)
        defer {
            lazyHeaders.close()
            lazyPlain.close()
            alwaysPlain.close()
            _ = try? blocking {
                await lazyStore.close()
                await alwaysStore.close()
                await live.server.shutdown()
                await live.bus.close()
                for http in [lazyHTTP, alwaysHTTP] {
                    await http.server.shutdown()
                    await http.bus.close()
                }
            }
        }
        let redisPayload = String(repeating: "x", count: payload.count)
        // redis-benchmark takes a request count: sized from the last slice's rate.
        var redisRequests = [PeerCase.redisSingle: 20_000, .redisPipelined: 60_000]

        // SIMPUL_PEERS_ONLY=case,case runs only those loads (to profile one, or compare two builds).
        let only = environment["SIMPUL_PEERS_ONLY"].map { $0.split(separator: ",").compactMap { PeerCase(rawValue: String($0)) } }
        var rates: [PeerCase: [Double]] = [:]
        for round in 0..<rounds {
            for peer in only ?? PeerCase.allCases {
                let rate: Double
                switch peer {
                case .embeddedAppend:
                    var records = 0.0, seconds = 0.0
                    for part in 0..<Int(sliceSeconds / LogBench.sliceSeconds) {
                        let directory = root + "/simpul/log-\(round)-\(part)"
                        let (count, elapsed, _) = try blocking {
                            try await LogBench.durableRate(appenders: appenders, directory: directory)
                        }
                        try? FileManager.default.removeItem(atPath: directory)
                        records += count
                        seconds += elapsed
                    }
                    rate = records / seconds
                case .httpSingle:
                    rate = try IngestBench.wrk(port: live.port, script: singleScript, connections: 64, seconds: Int(sliceSeconds)).rate
                case .httpBatch:
                    rate = try IngestBench.wrk(port: live.port, script: batchScript, connections: 16, seconds: Int(sliceSeconds)).rate * 100
                case .simpulJetStreamLazy, .simpulJetStreamAlways:
                    let store = peer == .simpulJetStreamLazy ? lazyStore : alwaysStore
                    rate = try blocking {
                        try await PeersLoads.jetStreamStoreRate(store, topic: topic, appenders: appenders, seconds: sliceSeconds,
                                                                payload: payload, idPrefix: "r\(round)-\(UInt32.random(in: 0...UInt32.max))")
                    }
                case .httpJetStreamLazy:
                    rate = try IngestBench.wrk(port: lazyHTTP.port, script: lazyScript, connections: 64, seconds: Int(sliceSeconds)).rate
                case .httpJetStreamAlways:
                    rate = try IngestBench.wrk(port: alwaysHTTP.port, script: alwaysScript, connections: 64, seconds: Int(sliceSeconds)).rate
                case .plainJetStreamLazy:
                    rate = try lazyPlain.acknowledgedRate(seconds: sliceSeconds, payload: payload)
                case .headersJetStreamLazy:
                    rate = try lazyHeaders.acknowledgedRate(seconds: sliceSeconds, payload: payload)
                case .plainJetStreamAlways:
                    rate = try alwaysPlain.acknowledgedRate(seconds: sliceSeconds, payload: payload)
                case .redisSingle, .redisPipelined:
                    let pipelined = peer == .redisPipelined
                    rate = try PeersLoads.redisRate(port: redisPort, clients: pipelined ? 16 : 64, pipeline: pipelined ? 16 : 1,
                                                    requests: redisRequests[peer] ?? 20_000, payload: redisPayload)
                    redisRequests[peer] = max(2_000, Int(rate * sliceSeconds))
                }
                rates[peer, default: []].append(rate)
                FileHandle.standardError.write(Data("round \(round + 1)/\(rounds) \(peer.rawValue): \(Int(rate)) events/s\n".utf8))
            }
        }
        let means = rates.mapValues { $0.reduce(0, +) / Double(max(1, $0.count)) }
        print(PeersTable.markdown(means: means, slices: rates))
        if json {
            for peer in PeerCase.allCases {
                BenchResult(name: "peers.\(peer.rawValue)", value: means[peer] ?? 0, unit: "events/s").print(json: true)
            }
        }
    }
}

/// The loads of the peers bench, in the order each round runs them.
enum PeerCase: String, CaseIterable, Hashable {
    case embeddedAppend = "simpul_embedded_append"
    case httpSingle = "simpul_http_single"
    case httpBatch = "simpul_http_batch_100"
    case simpulJetStreamLazy = "simpul_on_jetstream_default_sync"
    case httpJetStreamLazy = "simpul_on_jetstream_http_single_default_sync"
    case plainJetStreamLazy = "jetstream_default_sync"
    case headersJetStreamLazy = "jetstream_default_sync_simpul_headers"
    case simpulJetStreamAlways = "simpul_on_jetstream_sync_always"
    case httpJetStreamAlways = "simpul_on_jetstream_http_single_sync_always"
    case plainJetStreamAlways = "jetstream_sync_always"
    case redisSingle = "redis_xadd_64_clients"
    case redisPipelined = "redis_xadd_16_clients_pipeline_16"
}
