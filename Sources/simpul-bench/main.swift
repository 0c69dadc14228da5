// simpul-bench NAME [--json]: dispatches to one benchmark per NAME. Each benchmark lives
// in its own file and registers itself in `benchmarks` below.

import Foundation

/// A benchmark prints its results as `BenchResult` lines.
struct Benchmark {
    let name: String
    let summary: String
    let run: (_ json: Bool) throws -> Void
}

let benchmarks: [Benchmark] = [
    Benchmark(name: "deliver", summary: "webhook posts/s to a local 204 sink: plain libcurl multi loop and wrk ceilings, CurlMultiSender",
              run: DeliverBench.run),
    Benchmark(name: "ingest", summary: "HTTP ingest with durable acks (wrk): single events, batches of 100, beside the NIO and log ceilings",
              run: IngestBench.run),
    Benchmark(name: "log", summary: "durable and relaxed appends/s with the disk's ceiling, reads, open and recovery times, RSS",
              run: LogBench.run),
    Benchmark(name: "replay", summary: "DLQ entries replayed/s through `simpul dlq replay` (10,000) and `simpul dlq list` time at 100,000 entries",
              run: ReplayBench.run),
    Benchmark(name: "peers", summary: "Simpul beside JetStream and Redis Streams, 1 KiB events (servers from bench/peers/run)",
              run: PeersBench.run),
    Benchmark(name: "mapping", summary: "records/s: SIAK CSV → person events, SIMTARU GeoJSON → spatial-permit events, beside jq",
              run: MappingBench.run),
]

let arguments = Array(CommandLine.arguments.dropFirst())
let json = arguments.contains("--json")
let names = arguments.filter { !$0.hasPrefix("--") }
guard names.count == 1, let benchmark = benchmarks.first(where: { $0.name == names[0] }) else {
    print("usage: simpul-bench NAME [--json]")
    for benchmark in benchmarks { print("  \(benchmark.name)  \(benchmark.summary)") }
    exit(names.isEmpty ? 0 : 2)
}
do {
    try benchmark.run(json)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
