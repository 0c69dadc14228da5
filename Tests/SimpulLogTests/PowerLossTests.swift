import XCTest
@testable import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (RELIABILITY.md L2, L9): whatever a power loss keeps of unsynced writes — none, a
/// prefix, a subset, or garbage — the reopened log holds every acknowledged record byte for
/// byte, and is a prefix of the append history: no hole, no reordering, no offset reused.
/// Crash points fall inside appends, segment rolls and retention deletes alike.
final class PowerLossTests: XCTestCase {
    static let crashPoints = ProcessInfo.processInfo.environment["SIMPUL_SOAK"] == nil ? 2_000 : 200_000

    func testAcknowledgedRecordsSurviveEveryCrashPoint() async throws {
        let directory = "/data/topics/t/0"
        for seed in 1...UInt64(Self.crashPoints) {
            var random = SeededRandom(seed: seed)
            let io = SimulatedStorageIO(seed: seed)
            var options = tinyOptions()
            options.retention = RetentionPolicy(maxBytes: 12_000)
            let mode = SimulatedStorageIO.CrashMode.allCases.randomElement(using: &random) ?? .dropAll
            io.injectFailure(atOperation: Int.random(in: 1...420, using: &random), persistent: true)
            var attempts: [Attempt] = []
            if let partition = try? Partition.open(directory: directory, options: options, io: io) {
                attempts = await runAppends(partition, count: 60, seed: seed, stopOnError: true)
                _ = try? await partition.enforceRetention()
                attempts += await runAppends(partition, count: 20, seed: seed &+ 7, stopOnError: true)
                await partition.close()
            }
            io.crash(mode)
            let context = "seed \(seed), crash mode \(mode)"
            let reopened: Partition
            do {
                reopened = try Partition.open(directory: directory, options: options, io: io)
            } catch {
                return XCTFail("reopen failed (\(context)): \(error)")
            }
            let records = try readAll(reopened)
            let history = attempts.filter { $0.offset != nil || $0.error != nil }
            for (index, record) in records.enumerated() {
                guard record.offset == reopened.startOffset + Int64(index) else {
                    return XCTFail("hole or reordering at offset \(record.offset) (\(context))")
                }
            }
            for attempt in history {
                guard let offset = attempt.offset, offset >= reopened.startOffset else { continue }
                let found = records.first { $0.offset == offset }
                guard found?.value == attempt.value else {
                    return XCTFail("acknowledged offset \(offset) lost or changed (\(context))")
                }
            }
            let next = try await reopened.append(value: [1, 2, 3])
            XCTAssertEqual(next, reopened.startOffset + Int64(records.count), context)
            await reopened.close()
        }
    }
}
