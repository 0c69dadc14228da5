import XCTest
@testable import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (RELIABILITY.md L7, L8, L11): a failing disk never crashes the log, never
/// acknowledges what it did not make durable, makes a failed sync sticky, and a full disk
/// is a typed, recoverable condition.
final class FaultInjectionTests: XCTestCase {
    private let directory = "/data/topics/t/0"

    /// A fixed workload: about 200 appends, several rolls, one retention sweep.
    private func workload(_ partition: Partition) async -> (attempts: [Attempt], errors: [any Error]) {
        var attempts = await runAppends(partition, count: 120, seed: 9, stopOnError: false)
        var errors = attempts.compactMap(\.error)
        do { _ = try await partition.enforceRetention() } catch { errors.append(error) }
        let more = await runAppends(partition, count: 80, seed: 10, stopOnError: false)
        attempts += more
        errors += more.compactMap(\.error)
        return (attempts, errors)
    }

    private func options() -> PartitionOptions {
        var options = tinyOptions()
        options.retention = RetentionPolicy(maxBytes: 10_000)
        return options
    }

    func testFailingTheNthOperationForEveryN() async throws {
        let clean = SimulatedStorageIO(seed: 1)
        let partition = try Partition.open(directory: directory, options: options(), io: clean)
        _ = await workload(partition)
        await partition.close()
        let total = clean.operations
        XCTAssertGreaterThan(total, 400)
        for (code, persistent) in [(EIO, false), (EIO, true), (ENOSPC, false)] {
            for n in 1...total {
                try await runWithFailure(at: n, code: code, persistent: persistent)
            }
        }
    }

    private func runWithFailure(at n: Int, code: Int32, persistent: Bool) async throws {
        let context = "failing operation \(n) with errno \(code)\(persistent ? ", persistent" : "")"
        let io = SimulatedStorageIO(seed: UInt64(n))
        io.injectFailure(atOperation: n, code: code, persistent: persistent)
        var acked: [Attempt] = []
        do {
            let partition = try Partition.open(directory: directory, options: options(), io: io)
            let (attempts, errors) = await workload(partition)
            acked = attempts.filter { $0.offset != nil }
            for error in errors where !(error is LogError) {
                XCTFail("untyped error \(type(of: error)) (\(context))")
            }
            if let first = io.injectedFailures.first, first.operation == .sync, first.path.hasSuffix(".log"), !persistent {
                // A failed fsync is sticky: later appends are refused until reopened.
                do {
                    _ = try await partition.append(value: [0])
                    XCTFail("append accepted after a failed sync (\(context))")
                } catch LogError.partitionReadOnly {}
            }
            await partition.close()
        } catch let error as LogError {
            _ = error  // opening itself may fail on an injected error: a typed refusal
        }
        io.crash(.keepAll)  // a process restart: the page cache survives
        let reopened = try Partition.open(directory: directory, options: options(), io: io)
        var report = LogVerifier.Report()
        try LogVerifier(io: io).verifyPartition(directory, report: &report)
        XCTAssertTrue(report.isClean, "verify after restart (\(context)): \(report.damage)")
        let records = try readAll(reopened)
        for attempt in acked where attempt.offset! >= reopened.startOffset {
            XCTAssertEqual(records.first { $0.offset == attempt.offset }?.value, attempt.value,
                           "acknowledged offset \(attempt.offset!) lost (\(context))")
        }
        await reopened.close()
    }

    /// L8: every acknowledgement comes after a sync of the segment that holds the record,
    /// and a new segment's directory entry is synced before the first record in it is.
    func testEveryAckFollowsTheSyncThatCoversIt() async throws {
        let io = SimulatedStorageIO(seed: 3)
        io.recordEvents()
        let partition = try Partition.open(directory: directory, options: tinyOptions(), io: io)
        var ackEvents: [Int] = []
        for attempt in 0..<150 {
            _ = try await partition.append(value: workloadValue(attempt))
            ackEvents.append(io.events.count)
        }
        await partition.close()
        let events = io.events
        var violations: [String] = []
        for (number, ackAt) in ackEvents.enumerated() {
            let before = events[0..<ackAt]
            guard let lastWrite = before.lastIndex(where: { $0.kind == .write && $0.path.hasSuffix(".log") }) else { continue }
            let synced = before[lastWrite...].contains { $0.kind == .sync && $0.path == events[lastWrite].path }
            if !synced { violations.append("ack \(number) before the sync of its write") }
            for create in before.indices where before[create].kind == .create && before[create].path.hasSuffix(".log") {
                let directorySynced = before[create...].contains { $0.kind == .syncDirectory && $0.path == directory }
                if !directorySynced { violations.append("ack \(number) before the directory sync of a new segment") }
            }
        }
        XCTAssertEqual(violations, [])
        XCTAssertEqual(PartitionOptions().durability, .durable, "durable is the default")
    }

    /// L11: a full disk refuses appends with `storageFull`, loses nothing, and appends
    /// resume by themselves once space is freed.
    func testFullDiskIsTypedAndRecoversWithoutRestart() async throws {
        let io = SimulatedStorageIO(seed: 4)
        let partition = try Partition.open(directory: directory, options: tinyOptions(), io: io)
        let before = await runAppends(partition, count: 30, seed: 1, stopOnError: true)
        io.setDiskFull(true)
        do {
            _ = try await partition.append(value: workloadValue(99))
            XCTFail("append accepted on a full disk")
        } catch LogError.storageFull(let path) {
            XCTAssertEqual(path, directory)
            XCTAssertTrue(LogError.storageFull(path: path).description.contains("free space or lower retention"))
        }
        io.setDiskFull(false)
        let offset = try await partition.append(value: [7])
        XCTAssertEqual(offset, 30)
        let records = try readAll(partition)
        XCTAssertEqual(records.prefix(30).map(\.value), before.map(\.value))
        await partition.close()
    }
}
