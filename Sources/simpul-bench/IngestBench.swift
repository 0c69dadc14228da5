import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulLog
import SimpulServer

#if canImport(Glibc)
import Glibc
#endif

/// `simpul-bench ingest`: HTTP ingest with durable acknowledgements, driven by `wrk`
/// (Debian) with one Lua script for every figure, beside two ceilings measured in the same
/// run: a trivial SwiftNIO handler answering 202 (the HTTP layer's limit here) and the
/// log's in-process durable rate at 64 appenders.
enum IngestBench {
    static let connections = 64
    /// The half-load run's length.
    static let seconds = 6
    /// Alternating slices of each load and its ceiling.
    static let rounds = 3
    static let sliceSeconds = 3

    static func run(json: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("wrk is not installed: apt-get install wrk")
        }
        let root = FileManager.default.currentDirectoryPath + "/.build/bench-ingest"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        if let only = ProcessInfo.processInfo.environment["SIMPUL_BENCH_CASE"] {
            return try runAlone(only, root: root)
        }
        let trivial = try blocking { try await trivialServer() }
        let live = try blocking { try await busServer(directory: root + "/data") }
        let ceilingScript = try script(root, batch: 1, token: "none")
        let singleScript = try script(root, batch: 1, token: live.token)
        // Slices of the ceiling and of the real load alternate, so that both meet the same
        // machine (the other engineers' builds come and go on these two cores).
        var ceilingSlices: [Slice] = []
        var singleSlices: [Slice] = []
        for _ in 0..<rounds {
            ceilingSlices.append(try slice { try wrk(port: trivial.port, script: ceilingScript, connections: connections, seconds: sliceSeconds) })
            singleSlices.append(try slice { try wrk(port: live.port, script: singleScript, connections: connections, seconds: sliceSeconds) })
        }
        try blocking { await trivial.server.shutdown() }
        let ceiling = Slice.combined(ceilingSlices)
        let single = Slice.combined(singleSlices)
        BenchResult(name: "ingest.single_event_durable", value: single.rate, unit: "events/s", ceiling: ceiling.rate,
                    ceilingName: "trivial SwiftNIO handler answering 202 (wrk, \(connections) connections)").print(json: json)
        BenchResult(name: "ingest.single_event_p50_at_max", value: single.p50Ms * 1000, unit: "µs").print(json: json)
        BenchResult(name: "ingest.single_event_p99_at_max", value: single.p99Ms * 1000, unit: "µs").print(json: json)
        BenchResult(name: "ingest.single_event_server_cpu", value: single.cpuMicrosPerRequest, unit: "µs/event").print(json: json)
        BenchResult(name: "ingest.trivial_server_cpu", value: ceiling.cpuMicrosPerRequest, unit: "µs/request").print(json: json)
        BenchResult(name: "ingest.single_event_wrk_cpu", value: single.loadGeneratorMicrosPerRequest, unit: "µs/event").print(json: json)
        BenchResult(name: "ingest.trivial_wrk_cpu", value: ceiling.loadGeneratorMicrosPerRequest, unit: "µs/request").print(json: json)

        let half = try wrk(port: live.port, script: try script(root, batch: 1, token: live.token,
                                                              perConnectionRate: single.rate / 2 / Double(connections)),
                           connections: connections)
        BenchResult(name: "ingest.single_event_rate_at_half_load", value: half.rate, unit: "events/s").print(json: json)
        BenchResult(name: "ingest.single_event_p50_at_half_load", value: half.p50Ms * 1000, unit: "µs").print(json: json)
        BenchResult(name: "ingest.single_event_p99_at_half_load", value: half.p99Ms * 1000, unit: "µs").print(json: json)

        // Batches alternate with slices of the log's own durable appends the same way.
        let batchScript = try script(root, batch: 100, token: live.token)
        var batchSlices: [Slice] = []
        var logRecords = 0.0
        var logSeconds = 0.0
        for round in 0..<rounds {
            batchSlices.append(try slice { try wrk(port: live.port, script: batchScript, connections: 16, seconds: sliceSeconds) })
            for part in 0..<2 {
                let (records, elapsed, _) = try blocking {
                    try await LogBench.durableRate(appenders: 64, directory: root + "/log-\(round)-\(part)")
                }
                logRecords += records
                logSeconds += elapsed
            }
        }
        try blocking { await live.server.shutdown(); await live.bus.close() }
        let batches = Slice.combined(batchSlices)
        BenchResult(name: "ingest.batch_100_durable", value: batches.rate * 100, unit: "records/s",
                    ceiling: logRecords / logSeconds, ceilingName: "log in-process durable appends, 64 appenders").print(json: json)
        BenchResult(name: "ingest.batch_100_server_cpu", value: batches.cpuMicrosPerRequest / 100, unit: "µs/record").print(json: json)
        BenchResult(name: "ingest.batch_100_wrk_cpu", value: batches.loadGeneratorMicrosPerRequest / 100, unit: "µs/record").print(json: json)
    }

    /// One wrk run with the process CPU it took.
    struct Slice {
        var rate: Double
        var p50Ms: Double
        var p99Ms: Double
        var cpuMicrosPerRequest: Double
        var loadGeneratorMicrosPerRequest: Double

        /// Mean rate and CPU of equal-length slices; the median slice's latencies.
        static func combined(_ slices: [Slice]) -> Slice {
            let byP99 = slices.sorted { $0.p99Ms < $1.p99Ms }
            let count = Double(max(1, slices.count))
            return Slice(rate: slices.map(\.rate).reduce(0, +) / count, p50Ms: byP99[slices.count / 2].p50Ms,
                         p99Ms: byP99[slices.count / 2].p99Ms, cpuMicrosPerRequest: slices.map(\.cpuMicrosPerRequest).reduce(0, +) / count,
                         loadGeneratorMicrosPerRequest: slices.map(\.loadGeneratorMicrosPerRequest).reduce(0, +) / count)
        }
    }

    static func slice(_ run: () throws -> WrkResult) throws -> Slice {
        let cpuBefore = processCPUSeconds()
        let result = try run()
        let requests = max(1, result.rate * Double(sliceSeconds))
        return Slice(rate: result.rate, p50Ms: result.p50Ms, p99Ms: result.p99Ms,
                     cpuMicrosPerRequest: (processCPUSeconds() - cpuBefore) * 1e6 / requests,
                     loadGeneratorMicrosPerRequest: result.loadGeneratorCPUSeconds * 1e6 / requests)
    }

    struct WrkResult {
        var rate: Double
        var p50Ms: Double
        var p99Ms: Double
        /// The CPU wrk itself used, on the same two cores.
        var loadGeneratorCPUSeconds: Double
    }

    /// Runs wrk for `seconds` and reads its requests/s and latency percentiles.
    static func wrk(port: Int, script: String, connections: Int, seconds: Int = seconds) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let childrenBefore = childrenCPUSeconds()
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let rate = number(after: "Requests/sec:", in: text) else { throw BenchError("wrk printed no rate:\n\(text)") }
        if text.contains("Non-2xx") { throw BenchError("the server refused requests under load:\n\(text)") }
        return WrkResult(rate: rate, p50Ms: latencyMs(percentile: "50%", in: text) ?? 0,
                         p99Ms: latencyMs(percentile: "99%", in: text) ?? 0,
                         loadGeneratorCPUSeconds: childrenCPUSeconds() - childrenBefore)
    }

    static func number(after label: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return Double(line.replacingOccurrences(of: label, with: "").trimmingCharacters(in: .whitespaces))
    }

    static func latencyMs(percentile: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile) }),
              let value = line.split(separator: " ").last else { return nil }
        let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            return Double(value.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }

    /// A wrk Lua script posting unique canonical 1 KiB events (one, or `batch` per request);
    /// with `perConnectionRate`, each connection waits between requests to hold that rate.
    static func script(_ directory: String, batch: Int, token: String, perConnectionRate: Double? = nil) throws -> String {
        let delay = perConnectionRate.map { "function delay() return \(Int(1000 / max($0, 0.001))) end" } ?? ""
        let lua = """
        local counter = 0
        local prefix = ""
        local pad = string.rep("x", 180)
        local kbli = '[{"code":"47111","title":"' .. pad .. '"},{"code":"56101","title":"' .. pad .. '"},' ..
                     '{"code":"10710","title":"' .. pad .. '"},{"code":"46100","title":"' .. pad .. '"}]'
        function setup(thread) thread:set("seed", tostring(math.random(1, 1000000000))) end
        function init(args) prefix = seed .. "-" .. tostring(os.time()) end
        local function event()
          counter = counter + 1
          return '{"specversion":"1.0","id":"' .. prefix .. '-' .. counter .. '","source":"/bench/oss",' ..
                 '"type":"city.business.business.upserted","dataschema":"schemas/business.v1.json",' ..
                 '"subject":"business/' .. counter .. '","data":{"nib":"9120001234567","name":"CV Bench ' .. counter ..
                 '","kbli":' .. kbli .. '}}'
        end
        request = function()
          local body
          local kind
          if \(batch) == 1 then
            body = event()
            kind = "application/cloudevents+json"
          else
            local parts = {}
            for i = 1, \(batch) do parts[i] = event() end
            body = "[" .. table.concat(parts, ",") .. "]"
            kind = "application/cloudevents-batch+json"
          end
          return wrk.format("POST", "/v1/events", {["Authorization"] = "Bearer \(token)", ["Content-Type"] = kind}, body)
        end
        \(delay)
        """
        let path = directory + "/load-\(batch)-\(perConnectionRate == nil ? "max" : "paced").lua"
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The HTTP layer alone: answers every request 202 and does nothing.
    static func trivialServer() async throws -> (server: HTTPServer, port: Int) {
        var router = Router()
        router.add(.POST, "/v1/events") { _ in .json(status: 202, "{}") }
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: router, logger: quietLogger())
        return (server, try await server.start())
    }

    /// The real bus and API on a fresh data directory, with an admin token.
    static func busServer(directory: String) async throws -> (server: HTTPServer, port: Int, bus: Bus, token: String) {
        var settings = BusSettings(dataDirectory: directory, adaptersDirectory: FileManager.default.currentDirectoryPath + "/adapters")
        settings.schemasDirectory = FileManager.default.currentDirectoryPath + "/schemas"
        let bus = try Bus.open(settings)
        let token = try bus.tokens.create(kind: .admin, name: "bench").token
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: APIRouter.make(bus: bus, probes: Probes()),
                                logger: quietLogger())
        return (server, try await server.start(), bus, token)
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return logger
    }
}
