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
    static let seconds = 6

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
        let ceiling = try wrk(port: trivial.port, script: try script(root, batch: 1, token: "none"), connections: connections)
        try blocking { await trivial.server.shutdown() }

        let live = try blocking { try await busServer(directory: root + "/data") }
        let single = try wrk(port: live.port, script: try script(root, batch: 1, token: live.token), connections: connections)
        BenchResult(name: "ingest.single_event_durable", value: single.rate, unit: "events/s", ceiling: ceiling.rate,
                    ceilingName: "trivial SwiftNIO handler answering 202 (wrk, \(connections) connections)").print(json: json)
        BenchResult(name: "ingest.single_event_p50_at_max", value: single.p50Ms * 1000, unit: "µs").print(json: json)
        BenchResult(name: "ingest.single_event_p99_at_max", value: single.p99Ms * 1000, unit: "µs").print(json: json)

        let half = try wrk(port: live.port, script: try script(root, batch: 1, token: live.token,
                                                              perConnectionRate: single.rate / 2 / Double(connections)),
                           connections: connections)
        BenchResult(name: "ingest.single_event_rate_at_half_load", value: half.rate, unit: "events/s").print(json: json)
        BenchResult(name: "ingest.single_event_p50_at_half_load", value: half.p50Ms * 1000, unit: "µs").print(json: json)
        BenchResult(name: "ingest.single_event_p99_at_half_load", value: half.p99Ms * 1000, unit: "µs").print(json: json)

        let batches = try wrk(port: live.port, script: try script(root, batch: 100, token: live.token), connections: 16)
        try blocking { await live.server.shutdown(); await live.bus.close() }
        var logRecords = 0.0
        var logSeconds = 0.0
        for slice in 0..<4 {
            let (records, elapsed, _) = try blocking {
                try await LogBench.durableRate(appenders: 64, directory: root + "/log-\(slice)")
            }
            logRecords += records
            logSeconds += elapsed
        }
        BenchResult(name: "ingest.batch_100_durable", value: batches.rate * 100, unit: "records/s",
                    ceiling: logRecords / logSeconds, ceilingName: "log in-process durable appends, 64 appenders").print(json: json)
    }

    /// One load alone for `SIMPUL_BENCH_SECONDS` (default 20), for `perf record -p`:
    /// `trivial`, `single` or `batch`. Prints the pid first and the rate at the end.
    static func runAlone(_ name: String, root: String) throws {
        let seconds = ProcessInfo.processInfo.environment["SIMPUL_BENCH_SECONDS"].flatMap { Int($0) } ?? 20
        FileHandle.standardError.write(Data("pid \(getpid()): \(name) for \(seconds) s\n".utf8))
        if name == "trivial" {
            let trivial = try blocking { try await trivialServer() }
            let cpuBefore = processCPUSeconds()
            let result = try wrk(port: trivial.port, script: try script(root, batch: 1, token: "none"), connections: connections,
                                 seconds: seconds)
            let cpuMicros = (processCPUSeconds() - cpuBefore) * 1e6 / (result.rate * Double(seconds))
            print("trivial: \(Int(result.rate)) requests/s, \(Int(cpuMicros)) µs of server CPU per request")
            return
        }
        let live = try blocking { try await busServer(directory: root + "/data") }
        let batch = name == "batch" ? 100 : 1
        let cpuBefore = processCPUSeconds()
        let result = try wrk(port: live.port, script: try script(root, batch: batch, token: live.token),
                             connections: batch == 1 ? connections : 16, seconds: seconds)
        let cpuMicros = (processCPUSeconds() - cpuBefore) * 1e6 / (result.rate * Double(seconds * batch))
        let partition = try TopicName("city.business.business")
        let (records, syncs) = try live.bus.log.partition(partition, 0).statistics
        print("\(name): \(Int(result.rate * Double(batch))) records/s, p50 \(result.p50Ms) ms, p99 \(result.p99Ms) ms, "
              + "\(Int(cpuMicros)) µs of server CPU per record, \(records / max(1, syncs)) records per fsync")
        try blocking { await live.server.shutdown(); await live.bus.close() }
    }

    struct WrkResult {
        var rate: Double
        var p50Ms: Double
        var p99Ms: Double
    }

    /// Runs wrk for `seconds` and reads its requests/s and latency percentiles.
    static func wrk(port: Int, script: String, connections: Int, seconds: Int = seconds) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let rate = number(after: "Requests/sec:", in: text) else { throw BenchError("wrk printed no rate:\n\(text)") }
        if text.contains("Non-2xx") { throw BenchError("the server refused requests under load:\n\(text)") }
        return WrkResult(rate: rate, p50Ms: latencyMs(percentile: "50%", in: text) ?? 0,
                         p99Ms: latencyMs(percentile: "99%", in: text) ?? 0)
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

/// User and system CPU seconds this process has used so far (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
