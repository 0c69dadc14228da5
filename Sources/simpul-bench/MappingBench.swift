import Foundation
import SimpulMapping

/// `simpul-bench mapping`: one core maps generated exports to CloudEvent bytes, and jq
/// maps the same records (as NDJSON) with the same field rules in the same run.
///
/// Measured: decode + map + validate + envelope + id (SHA-256) + compact JSON out, per
/// record, single-threaded. jq reads NDJSON and writes compact JSON to /dev/null.
enum MappingBench {
    static let populationRecords = 200_000
    static let simtaruRecords = 50_000
    static let repeats = 3
    static let outputFlushBytes = 1 << 20

    enum Failure: Error, CustomStringConvertible {
        case setup(String)
        var description: String {
            switch self { case .setup(let message): return message }
        }
    }

    static func run(json: Bool) throws {
        // SIMPUL_BENCH_CASE=population|simtaru runs one case without jq, for profiling.
        let only = ProcessInfo.processInfo.environment["SIMPUL_BENCH_CASE"]
        let adaptersDirectory = ProcessInfo.processInfo.environment["SIMPUL_ADAPTERS_DIR"] ?? "./adapters"
        let population = try AdapterCatalog.load("population", in: adaptersDirectory, registry: .builtIn)
        let simtaru = try AdapterCatalog.load("simtaru", in: adaptersDirectory, registry: .builtIn)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        if let only {
            let (adapter, bytes, format, count) = only == "simtaru"
                ? (simtaru, MappingBenchData.simtaruGeoJSON(count: simtaruRecords), InputFormat.geojson, simtaruRecords)
                : (population, MappingBenchData.populationCSV(count: populationRecords), InputFormat.csv, populationRecords)
            var rate = 0.0
            for _ in 0..<repeats { rate = max(rate, try measure(adapter, bytes: bytes, format: format, expected: count)) }
            BenchResult(name: "mapping.\(only)", value: rate, unit: "records/s").print(json: json)
            return
        }
        let csv = MappingBenchData.populationCSV(count: populationRecords)
        let populationNDJSON = directory.appendingPathComponent("population.ndjson")
        try Data(MappingBenchData.populationNDJSON(count: populationRecords)).write(to: populationNDJSON)
        let geojson = MappingBenchData.simtaruGeoJSON(count: simtaruRecords)
        let simtaruNDJSON = directory.appendingPathComponent("simtaru.ndjson")
        try Data(MappingBenchData.simtaruNDJSON(count: simtaruRecords)).write(to: simtaruNDJSON)
        // The population case again with the JSON Schema check on top (what
        // `simpul adapters test` does when ./schemas exists).
        let schemas = try SchemaValidator(directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["SIMPUL_SCHEMAS_DIR"] ?? "./schemas"))
        let checked = try AdapterCatalog.load("population", in: adaptersDirectory, registry: ValidatorRegistry.builtIn.checkingSchemas(schemas))

        // Rounds interleave our runs with jq's, so that load from other processes on this
        // shared machine falls on both sides of each ratio; each figure is its best round.
        var best = [Double](repeating: 0, count: 5)
        var versions = ["jq", "jq"]
        for _ in 0..<repeats {
            best[0] = max(best[0], try measure(population, bytes: csv, format: .csv, expected: populationRecords))
            let jq = try measureJQ(program: MappingBenchData.populationJQ, input: populationNDJSON,
                                   records: populationRecords, directory: directory)
            best[1] = max(best[1], jq.rate)
            best[2] = max(best[2], try measure(checked, bytes: csv, format: .csv, expected: populationRecords))
            best[3] = max(best[3], try measure(simtaru, bytes: geojson, format: .geojson, expected: simtaruRecords))
            let jqSpatial = try measureJQ(program: MappingBenchData.simtaruJQ, input: simtaruNDJSON,
                                          records: simtaruRecords, directory: directory)
            best[4] = max(best[4], jqSpatial.rate)
            versions = [jq.version, jqSpatial.version]
        }
        BenchResult(name: "mapping.population_csv_to_person", value: best[0], unit: "records/s",
                    ceiling: best[1], ceilingName: "\(versions[0]) population NDJSON field mapping").print(json: json)
        BenchResult(name: "mapping.population_csv_to_person_schema_checked", value: best[2], unit: "records/s",
                    ceiling: best[1], ceilingName: "\(versions[0]) population NDJSON field mapping").print(json: json)
        BenchResult(name: "mapping.simtaru_geojson_to_spatial_permit", value: best[3], unit: "records/s",
                    ceiling: best[4], ceilingName: "\(versions[1]) simtaru NDJSON field mapping (no reprojection)").print(json: json)
    }

    /// Records per second for decode → map → event bytes, one run.
    static func measure(_ adapter: DeclarativeAdapter, bytes: [UInt8], format: InputFormat, expected: Int) throws -> Double {
        var accepted = 0
        var outputBytes = 0
        let seconds = try bestSeconds(repeats: 1) {
            let input = try adapter.decode(bytes, format: format)
            // Events go to a 1 MiB buffer that is "flushed" (counted and reused) when
            // full, as a log append or socket write would drain it.
            var output: [UInt8] = []
            output.reserveCapacity(outputFlushBytes + 4096)
            accepted = 0
            outputBytes = 0
            adapter.map(input, options: EventOptions(time: "2026-11-22T03:00:00Z")) { result in
                if case .accepted(let event) = result.outcome {
                    event.write(into: &output)
                    output.append(0x0A)
                    accepted += 1
                    if output.count >= outputFlushBytes {
                        outputBytes += output.count
                        output.removeAll(keepingCapacity: true)
                    }
                }
            }
            outputBytes += output.count
        }
        guard accepted == expected, outputBytes > 0 else {
            throw Failure.setup("\(adapter.descriptor.name): \(accepted) of \(expected) generated records were accepted; the generator and adapter disagree")
        }
        return Double(expected) / seconds
    }

    static func measureJQ(program: String, input: URL, records: Int, directory: URL) throws -> (rate: Double, version: String) {
        let programFile = directory.appendingPathComponent("program-\(records).jq")
        try Data(program.utf8).write(to: programFile)
        let version = (try? runJQ(["--version"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? "jq"
        let seconds = try bestSeconds(repeats: 1) {
            _ = try runJQ(["-c", "-f", programFile.path, input.path], discardOutput: true)
        }
        return (Double(records) / seconds, version)
    }

    @discardableResult
    static func runJQ(_ arguments: [String], discardOutput: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/jq")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = discardOutput ? FileHandle.nullDevice : pipe
        do {
            try process.run()
        } catch {
            throw Failure.setup("cannot run /usr/bin/jq (install Debian's jq): \(error)")
        }
        let output = discardOutput ? Data() : pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.setup("jq \(arguments.joined(separator: " ")) failed") }
        return String(decoding: output, as: UTF8.self)
    }
}
