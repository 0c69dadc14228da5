import Foundation
import XCTest
import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 2 crash test, RELIABILITY.md L1): SIGKILL the appending process at random
/// moments; after each kill every acknowledged record is there byte for byte, reopening
/// takes under a second, and the log accepts new appends.
final class CrashTests: XCTestCase {
    static let rounds = ProcessInfo.processInfo.environment["SIMPUL_SOAK"] == nil ? 20 : 1_000

    /// The value `simpul-crash-workload` writes for (appender, sequence).
    private func expectedValue(appender: Int, sequence: Int, bytes: Int) -> [UInt8] {
        var state = UInt64(appender) << 32 | UInt64(sequence)
        return (0..<bytes).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    func testKillNineLosesNoAcknowledgedRecord() async throws {
        let directory = try TemporaryDirectory("crash")
        defer { directory.remove() }
        let seed = UInt64.random(in: 1...UInt64.max / 2)
        var random = SeededRandom(seed: seed)
        var acknowledged: [Int64: (appender: Int, sequence: Int)] = [:]
        var killedWhileAppending = 0
        for round in 1...Self.rounds {
            let lines = try killedRun(directory: directory.path, afterMs: Int.random(in: 50...500, using: &random))
            for line in lines where line.hasPrefix("ack ") {
                let fields = line.split(separator: " ")
                guard fields.count == 4, let offset = Int64(fields[1]), let appender = Int(fields[2]),
                      let sequence = Int(fields[3]) else { continue }
                acknowledged[offset] = (appender, sequence)
            }
            if !lines.contains("done") { killedWhileAppending += 1 }
            let started = Date()
            let log = try Log.open(directory: directory.path)
            let recovery = Date().timeIntervalSince(started)
            XCTAssertLessThan(recovery, 1.0, "round \(round): recovery took \(recovery) s (seed \(seed))")
            let partition = try log.partition(try TopicName("crash"), 0)
            let records = try partition.read(from: 0, maxRecords: .max, maxBytes: .max)
            XCTAssertEqual(records.map(\.offset), (0..<Int64(records.count)).map { $0 }, "round \(round): holes (seed \(seed))")
            for (offset, origin) in acknowledged {
                guard offset < records.count else {
                    return XCTFail("round \(round): acknowledged offset \(offset) missing (seed \(seed))")
                }
                let record = records[Int(offset)]
                XCTAssertEqual(record.key, Array("\(origin.appender)-\(origin.sequence)".utf8))
                if record.value != expectedValue(appender: origin.appender, sequence: origin.sequence, bytes: 1024) {
                    return XCTFail("round \(round): offset \(offset) changed (seed \(seed))")
                }
            }
            let next = try await partition.append(value: Array("after round \(round)".utf8))
            XCTAssertEqual(next, Int64(records.count))
            await log.close()
        }
        XCTAssertGreaterThan(acknowledged.count, 0)
        XCTAssertGreaterThan(killedWhileAppending, Self.rounds / 2, "most kills must land mid-run")
        let verify = try LogVerifier().verify(dataDirectory: directory.path)
        XCTAssertTrue(verify.isClean, "\(verify.damage)")
    }

    /// Starts the workload, SIGKILLs it after `afterMs`, returns every line it printed.
    private func killedRun(directory: String, afterMs: Int) throws -> [String] {
        let process = Process()
        process.executableURL = Products.executable("simpul-crash-workload")
        process.arguments = [directory, "64", "10000", "1024"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(afterMs * 1000))
        kill(process.processIdentifier, SIGKILL)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
