import Foundation
import SimpulAPI
import SimpulBus
import SimpulLog
import SimpulServer

#if canImport(Glibc)
import Glibc
#endif

/// `SIMPUL_BENCH_CASE=trivial|single|batch|router simpul-bench ingest`: one load alone for
/// `SIMPUL_BENCH_SECONDS` (default 20), to profile it (`perf record -p PID`; the pid goes to
/// standard error first) or to compare two builds run after one another. Each prints its
/// rate and the process CPU per record, a figure that drifts less than rates when the
/// machine is shared.
extension IngestBench {
    /// One load alone for `SIMPUL_BENCH_SECONDS` (default 20), for `perf record -p`:
    /// `trivial`, `single` or `batch`. Prints the pid first and the rate at the end.
    static func runAlone(_ name: String, root: String) throws {
        let seconds = ProcessInfo.processInfo.environment["SIMPUL_BENCH_SECONDS"].flatMap { Int($0) } ?? 20
        FileHandle.standardError.write(Data("pid \(getpid()): \(name) for \(seconds) s\n".utf8))
        if name == "router" {
            return try routerAlone(root: root, seconds: seconds)
        }
        if name == "trivial" {
            let trivial = try blocking { try await trivialServer() }
            let cpuBefore = processCPUSeconds()
            let result = try wrk(port: trivial.port, script: try script(root, batch: 1, token: "none"), connections: connections,
                                 seconds: seconds)
            let cpuMicros = (processCPUSeconds() - cpuBefore) * 1e6 / (result.rate * Double(seconds))
            let wrkMicros = result.loadGeneratorCPUSeconds * 1e6 / (result.rate * Double(seconds))
            print("trivial: \(Int(result.rate)) requests/s, \(Int(cpuMicros)) µs of server CPU per request, "
                  + "\(Int(wrkMicros)) µs of wrk CPU per request")
            return
        }
        let live = try blocking { try await busServer(directory: root + "/data") }
        let batch = name == "batch" ? 100 : 1
        let cpuBefore = processCPUSeconds()
        let result = try wrk(port: live.port, script: try script(root, batch: batch, token: live.token),
                             connections: batch == 1 ? connections : 16, seconds: seconds)
        let cpuMicros = (processCPUSeconds() - cpuBefore) * 1e6 / (result.rate * Double(seconds * batch))
        let wrkMicros = result.loadGeneratorCPUSeconds * 1e6 / (result.rate * Double(seconds * batch))
        let partition = try TopicName("city.business.business")
        let (records, syncs) = try live.bus.log.partition(partition, 0).statistics
        print("\(name): \(Int(result.rate * Double(batch))) records/s, p50 \(result.p50Ms) ms, p99 \(result.p99Ms) ms, "
              + "\(Int(cpuMicros)) µs of server CPU per record, \(records / max(1, syncs)) records per fsync, "
              + "\(Int(wrkMicros)) µs of wrk CPU per record")
        try blocking { await live.server.shutdown(); await live.bus.close() }
    }

    /// The API without HTTP: 64 tasks send unique 1 KiB events through `APIRouter` for
    /// `seconds`; prints the process CPU per event (the application's share of a request).
    static func routerAlone(root: String, seconds: Int) throws {
        var settings = BusSettings(dataDirectory: root + "/data", adaptersDirectory: FileManager.default.currentDirectoryPath + "/adapters")
        settings.schemasDirectory = FileManager.default.currentDirectoryPath + "/schemas"
        let bus = try Bus.open(settings)
        let token = try bus.tokens.create(kind: .admin, name: "bench").token
        let router = APIRouter.make(bus: bus, probes: Probes())
        let pad = String(repeating: "x", count: 180)
        let deadline = Date().addingTimeInterval(Double(seconds))
        let cpuBefore = processCPUSeconds()
        let (count, slowestMs) = try blocking {
            await withTaskGroup(of: (Int, Double).self) { group in
                for worker in 0..<connections {
                    group.addTask {
                        var sent = 0
                        var slowest = 0.0
                        while Date() < deadline {
                            let kbli = (0..<4).map { _ in #"{"code":"47111","title":"\#(pad)"}"# }.joined(separator: ",")
                            let body = #"{"specversion":"1.0","id":"r-\#(worker)-\#(sent)","source":"/bench/oss","type":"city.business.business.upserted","dataschema":"schemas/business.v1.json","subject":"business/\#(sent)","data":{"nib":"9120001234567","name":"CV Bench \#(sent)","kbli":[\#(kbli)]}}"#
                            let request = HTTPRequest(method: .POST, path: "/v1/events", headers: [
                                ("Host", "x"), ("Authorization", "Bearer \(token)"), ("Content-Type", "application/cloudevents+json"),
                                ("Content-Length", "\(body.utf8.count)"),
                            ], body: Array(body.utf8))
                            let started = DispatchTime.now().uptimeNanoseconds
                            _ = await router.handle(request)
                            slowest = max(slowest, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
                            sent += 1
                        }
                        return (sent, slowest)
                    }
                }
                return await group.reduce((0, 0.0)) { ($0.0 + $1.0, max($0.1, $1.1)) }
            }
        }
        let cpuMicros = (processCPUSeconds() - cpuBefore) * 1e6 / Double(count)
        print("router: \(count / seconds) events/s, \(Int(cpuMicros)) µs of CPU per event, \(count) events, "
              + "slowest answer \(Int(slowestMs)) ms")
        try blocking { await bus.close() }
    }
}

/// User and system CPU seconds this process has used so far (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds of the finished child processes (wrk) so far.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
