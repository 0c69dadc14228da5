import XCTest
@testable import SimpulLog
import SimpulTestSupport

/// Goal: a partition gives back exactly what was appended, from any offset, across
/// segment rolls and reopenings, and its limits are enforced with typed errors.
final class PartitionTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory("partition") }
    override func tearDown() { directory.remove() }

    private func smallOptions() -> PartitionOptions {
        var options = PartitionOptions()
        options.segmentBytesMax = 1 << 21  // 2 MiB: the smallest that holds a maximal record
        options.indexIntervalBytes = 256
        options.freeBytesFloor = 0
        return options
    }

    private func value(_ n: Int, size: Int = 100) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
    }

    func testAppendThenReadFromAnyOffset() async throws {
        let partition = try Partition.open(directory: directory.path, options: smallOptions())
        for n in 0..<300 {
            let offset = try await partition.append(key: Array("k\(n)".utf8), value: value(n, size: 7000 + n))
            XCTAssertEqual(offset, Int64(n))
        }
        XCTAssertGreaterThan(partition.segmentCount, 1, "300 × 7 KiB must roll 2 MiB segments")
        for start in [0, 1, 150, 151, 299] {
            let records = try partition.read(from: Int64(start), maxRecords: 5, maxBytes: .max)
            XCTAssertEqual(records.first?.offset, Int64(start))
            for record in records {
                XCTAssertEqual(record.value, value(Int(record.offset), size: 7000 + Int(record.offset)))
                XCTAssertEqual(record.key, Array("k\(record.offset)".utf8))
            }
        }
        XCTAssertEqual(try partition.read(from: 300), [])
        await partition.close()
    }

    func testReadCrossesSegmentsInOneCall() async throws {
        let partition = try Partition.open(directory: directory.path, options: smallOptions())
        for n in 0..<400 { _ = try await partition.append(value: value(n, size: 9000)) }
        let all = try partition.read(from: 0, maxRecords: 1000, maxBytes: .max)
        XCTAssertEqual(all.map(\.offset), (0..<400).map(Int64.init))
        await partition.close()
    }

    func testReopenKeepsEverythingAndContinuesOffsets() async throws {
        var partition = try Partition.open(directory: directory.path, options: smallOptions())
        for n in 0..<500 { _ = try await partition.append(value: value(n, size: 5000)) }
        await partition.close()
        partition = try Partition.open(directory: directory.path, options: smallOptions())
        XCTAssertTrue(partition.recoveryReport.isClean, partition.recoveryReport.summary)
        XCTAssertEqual(partition.endOffset, 500)
        let appended223 = try await partition.append(value: [1])
        XCTAssertEqual(appended223, 500)
        let records = try partition.read(from: 0, maxRecords: 10_000, maxBytes: .max)
        XCTAssertEqual(records.count, 501)
        XCTAssertEqual(records[321].value, value(321, size: 5000))
        await partition.close()
    }

    func testConcurrentAppendersGetDistinctContiguousOffsets() async throws {
        let partition = try Partition.open(directory: directory.path, options: smallOptions())
        let offsets = try await withThrowingTaskGroup(of: Int64.self) { group in
            for n in 0..<64 {
                let bytes = value(n)
                group.addTask { try await partition.append(value: bytes) }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        XCTAssertEqual(offsets.sorted(), (0..<64).map(Int64.init))
        await partition.close()
    }

    func testLimitsAreTypedErrors() async throws {
        let partition = try Partition.open(directory: directory.path, options: smallOptions())
        do {
            _ = try await partition.append(value: [UInt8](repeating: 0, count: LogLimits.recordValueBytesMax + 1))
            XCTFail("an oversize record must be refused")
        } catch LogError.recordTooLarge(let bytes, let limit) {
            XCTAssertEqual(bytes, LogLimits.recordValueBytesMax + 1)
            XCTAssertEqual(limit, LogLimits.recordValueBytesMax)
        }
        do {
            _ = try await partition.append(key: [UInt8](repeating: 1, count: LogLimits.recordKeyBytesMax + 1), value: [])
            XCTFail("an oversize key must be refused")
        } catch LogError.keyTooLarge {}
        let appended497 = try await partition.append(value: [UInt8](repeating: 7, count: LogLimits.recordValueBytesMax))
        XCTAssertEqual(appended497, 0)
        XCTAssertEqual(try partition.read(from: 0).first?.value.count, LogLimits.recordValueBytesMax)
        let empty = try await partition.append([])
        XCTAssertEqual(empty, 1, "an empty append writes nothing and names the next offset")
        XCTAssertEqual(partition.endOffset, 1)
        await partition.close()
    }

    func testRetentionBySizeDeletesOldestWholeSegmentsAndOffsetsNeverMove() async throws {
        var options = smallOptions()
        options.retention = RetentionPolicy(maxBytes: 5 << 20)
        let partition = try Partition.open(directory: directory.path, options: options)
        for n in 0..<1500 { _ = try await partition.append(value: value(n, size: 9000)) }
        let deleted = try await partition.enforceRetention()
        XCTAssertGreaterThan(deleted, 0)
        XCTAssertLessThanOrEqual(partition.sizeBytes, 5 << 20)
        let start = partition.startOffset
        XCTAssertGreaterThan(start, 0)
        XCTAssertThrowsError(try partition.read(from: 0)) { error in
            XCTAssertEqual(error as? LogError, .offsetBeforeStart(requested: 0, earliest: start))
        }
        XCTAssertEqual(try partition.read(from: start).first?.offset, start)
        let appended223 = try await partition.append(value: [1])
        XCTAssertEqual(appended223, 1500)
        await partition.close()
    }

    func testRetentionByAgeKeepsTheActiveSegment() async throws {
        var options = smallOptions()
        options.retention = RetentionPolicy(maxAgeMs: 1000)
        let partition = try Partition.open(directory: directory.path, options: options)
        for n in 0..<600 {
            _ = try await partition.append([AppendRecord(value: value(n, size: 9000), timestampMs: 1_000 + Int64(n))])
        }
        let segments = partition.segmentCount
        let appended621 = try await partition.enforceRetention(nowMs: 100_000)
        XCTAssertEqual(appended621, segments - 1)
        XCTAssertEqual(partition.segmentCount, 1)
        XCTAssertEqual(partition.endOffset, 600)
        await partition.close()
    }

    func testCursorWaitsForNewRecords() async throws {
        let partition = try Partition.open(directory: directory.path, options: smallOptions())
        var cursor = LogCursor(partition: partition, from: 0)
        let empty = try await cursor.next(wait: .milliseconds(50))
        XCTAssertEqual(empty, [])
        async let appended = partition.append(value: [42])
        let records = try await cursor.next(wait: .seconds(5))
        XCTAssertEqual(records.map(\.value), [[42]])
        let offset = try await appended
        XCTAssertEqual(offset, 0)
        XCTAssertEqual(cursor.position, 1)
        await partition.close()
    }
}
