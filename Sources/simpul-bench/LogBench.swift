import Foundation
import SimpulLog

#if canImport(Glibc)
import Glibc
#endif

/// `simpul-bench log`: the embedded log's figures of issue 2, each measured here, with the
/// raw disk ceiling (plain write + fdatasync at the same batch sizes) in the same run.
enum LogBench {
    static let recordBytes = 1024
    static let phaseSeconds = 3.0
    static let slices = 6
    static let sliceSeconds = 0.5

    static func run(json: Bool) throws {
        let root = FileManager.default.currentDirectoryPath + "/.build/bench-data"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let peakRSS = try blocking { try await rssWhileAppending(records: 10_000_000, directory: root + "/rss") }
        // The disk's sync latency drifts by 2x within seconds here, so the log and its ceiling
        // run in alternating slices and each figure is the total over its slices.
        for appenders in [1, 16, 64] {
            var log = (records: 0.0, seconds: 0.0, batch: 0.0)
            var ceiling = (records: 0.0, seconds: 0.0)
            for slice in 0..<slices {
                let (records, seconds, batch) = try blocking {
                    try await durableRate(appenders: appenders, directory: root + "/durable-\(appenders)-\(slice)")
                }
                log = (log.records + records, log.seconds + seconds, log.batch + batch / Double(slices))
                let raw = try rawSyncCeiling(batch: max(1, Int(batch.rounded())), directory: root)
                ceiling = (ceiling.records + raw.records, ceiling.seconds + raw.seconds)
            }
            BenchResult(name: "log.durable_append.\(appenders)_appenders", value: log.records / log.seconds, unit: "records/s",
                        ceiling: ceiling.records / ceiling.seconds,
                        ceilingName: "write+fdatasync loop, batch \(Int(log.batch.rounded()))").print(json: json)
        }
        let relaxed = try blocking { try await relaxedRate(directory: root + "/relaxed") }
        let writeCeiling = try rawWriteCeiling(directory: root)
        BenchResult(name: "log.relaxed_append", value: relaxed, unit: "records/s",
                    ceiling: writeCeiling, ceilingName: "pwrite loop without sync, 256 KiB").print(json: json)

        let big = root + "/big"
        try blocking { try await fill(directory: big, bytes: 1 << 30) }
        let cleanOpen = try timeOpen(big)
        BenchResult(name: "log.open_1gib_after_clean_close", value: cleanOpen * 1000, unit: "ms").print(json: json)
        let readRate = try sequentialReadRate(big)
        BenchResult(name: "log.sequential_read_1gib", value: readRate, unit: "MB/s").print(json: json)
        try killWorkloadMidRun(big)
        let crashOpen = try timeOpen(big)
        BenchResult(name: "log.open_1gib_after_sigkill", value: crashOpen * 1000, unit: "ms").print(json: json)
        for index in FileManager.default.enumerator(atPath: big)?.compactMap({ $0 as? String }) ?? [] where index.hasSuffix(".idx") {
            try? FileManager.default.removeItem(atPath: big + "/" + index)
        }
        let rebuild = try timeOpen(big)
        BenchResult(name: "log.index_rebuild_1gib", value: rebuild * 1000, unit: "ms").print(json: json)
        BenchResult(name: "log.peak_rss_10m_appends", value: peakRSS, unit: "MiB").print(json: json)
    }

    /// Durable 1 KiB appends from `appenders` tasks for one slice: records, seconds, and
    /// the records per sync.
    static func durableRate(appenders: Int, directory: String) async throws -> (Double, Double, Double) {
        let partition = try Partition.open(directory: directory)
        let value = [UInt8](repeating: 0x5A, count: recordBytes)
        let deadline = Date().addingTimeInterval(sliceSeconds)
        let start = Date()
        let before = partition.statistics
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<appenders {
                group.addTask {
                    var count = 0
                    while Date() < deadline {
                        _ = try await partition.append(value: value)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = Date().timeIntervalSince(start)
        let after = partition.statistics
        await partition.close()
        let syncs = max(1, after.syncs - before.syncs)
        return (Double(total), elapsed, Double(after.recordsCommitted - before.recordsCommitted) / Double(syncs))
    }

    /// The disk's own limit: write `batch` frames' worth of bytes and fdatasync, in a loop.
    static func rawSyncCeiling(batch: Int, directory: String) throws -> (records: Double, seconds: Double) {
        let path = directory + "/ceiling.bin"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let bytes = [UInt8](repeating: 0x5A, count: batch * RecordFrame.size(keyCount: 0, valueCount: recordBytes))
        var position = 0
        var batches = 0
        let start = Date()
        while Date().timeIntervalSince(start) < sliceSeconds {
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
            fdatasync(fd)
            position += bytes.count
            batches += 1
        }
        return (Double(batches * batch), Date().timeIntervalSince(start))
    }

    /// The page cache's own limit: pwrite 256 records' worth of bytes at a time, no sync.
    static func rawWriteCeiling(directory: String) throws -> Double {
        let path = directory + "/write-ceiling.bin"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let frame = RecordFrame.size(keyCount: 0, valueCount: recordBytes)
        let bytes = [UInt8](repeating: 0x33, count: 256 * frame)
        var position = 0
        var written = 0
        let start = Date()
        while Date().timeIntervalSince(start) < phaseSeconds {
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
            position += bytes.count
            written += bytes.count
            if position >= 1 << 30 {
                ftruncate(fd, 0)
                position = 0
            }
        }
        return Double(written / frame) / Date().timeIntervalSince(start)
    }

    static func relaxedRate(directory: String) async throws -> Double {
        var options = PartitionOptions()
        options.durability = .relaxedMayLoseAcknowledgedRecords(intervalMs: 200)
        let partition = try Partition.open(directory: directory, options: options)
        let batch = (0..<256).map { _ in AppendRecord(value: [UInt8](repeating: 0x33, count: recordBytes)) }
        let deadline = Date().addingTimeInterval(phaseSeconds)
        let start = Date()
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var count = 0
                    while Date() < deadline {
                        _ = try await partition.append(batch)
                        count += batch.count
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let rate = Double(total) / Date().timeIntervalSince(start)
        await partition.close()
        return rate
    }

    /// Appends 1 KiB records to topic `crash` (as `simpul-crash-workload` does) up to `bytes`.
    static func fill(directory: String, bytes: Int) async throws {
        var options = PartitionOptions()
        options.durability = .relaxedMayLoseAcknowledgedRecords(intervalMs: 500)
        let log = try Log.open(directory: directory, options: options)
        let topic = try TopicName("crash")
        try log.createTopic(topic)
        let partition = try log.partition(topic, 0)
        let batch = (0..<1024).map { _ in AppendRecord(value: [UInt8](repeating: 0x44, count: recordBytes)) }
        while partition.sizeBytes < bytes { _ = try await partition.append(batch) }
        await log.close()
    }

    static func timeOpen(_ directory: String) throws -> Double {
        let start = Date()
        let log = try Log.open(directory: directory)
        let elapsed = Date().timeIntervalSince(start)
        try blocking { await log.close() }
        return elapsed
    }

    static func sequentialReadRate(_ directory: String) throws -> Double {
        let log = try Log.open(directory: directory)
        let partition = try log.partition(try TopicName("crash"), 0)
        var next: Int64 = 0
        var bytes = 0
        let start = Date()
        while true {
            let records = try partition.read(from: next, maxRecords: 4096, maxBytes: 8 << 20)
            guard let last = records.last else { break }
            for record in records { bytes += record.value.count + record.key.count + RecordFrame.headerBytes }
            next = last.offset + 1
        }
        let rate = Double(bytes) / 1e6 / Date().timeIntervalSince(start)
        try blocking { await log.close() }
        return rate
    }

    /// Runs `simpul-crash-workload` on the log and SIGKILLs it mid-run.
    static func killWorkloadMidRun(_ directory: String) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("simpul-crash-workload")
        let process = Process()
        process.executableURL = executable
        process.arguments = [directory, "64", "1000000", "\(recordBytes)"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        usleep(700_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Peak resident memory (MiB) of this process after appending `records` small records.
    static func rssWhileAppending(records: Int, directory: String) async throws -> Double {
        var options = PartitionOptions()
        options.durability = .relaxedMayLoseAcknowledgedRecords(intervalMs: 200)
        options.retention = RetentionPolicy(maxBytes: 256 << 20)
        let partition = try Partition.open(directory: directory, options: options)
        let batch = (0..<1000).map { _ in AppendRecord(value: [UInt8](repeating: 0x21, count: 100)) }
        for round in 0..<(records / batch.count) {
            _ = try await partition.append(batch)
            if round % 1000 == 999 { try await partition.enforceRetention() }
        }
        await partition.close()
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs async work to completion from synchronous bench code (the main thread waits).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Locked<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await Result { try await body() }
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0 }!.get()
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
