import Foundation
import XCTest
import SimpulLog
import SimpulTestSupport

/// Goal (issue 2 damage tests, on real files): a truncated or garbled tail is recovered with
/// a report; a flipped byte in an old segment is named by `simpul log verify` (exit 1) and
/// by any read of it, and verify changes nothing.
final class LogVerifyCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory("verify") }
    override func tearDown() { directory.remove() }

    private var partitionDirectory: String { directory.path + "/topics/permits/0" }

    /// 300 records of 30 kB in segments of 4 MiB: three segments, the last one active.
    private func fill(records: Int = 300) async throws {
        var options = PartitionOptions()
        options.segmentBytesMax = 4 << 20
        let log = try Log.open(directory: directory.path, options: options)
        let topic = try TopicName("permits")
        try log.createTopic(topic)
        let partition = try log.partition(topic, 0)
        for batch in 0..<(records / 10) {
            _ = try await partition.append((0..<10).map { _ in AppendRecord(value: Array(repeating: UInt8(batch % 251), count: 30_000)) })
        }
        await log.close()
    }

    private func segments() -> [String] { directory.files(in: "topics/permits/0", suffix: ".log") }

    func testTruncatedLastSegmentIsRecoveredWithAReport() async throws {
        try await fill()
        let last = try XCTUnwrap(segments().last)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: last))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - 1000)
        try handle.close()
        let log = try Log.open(directory: directory.path)
        let report = try XCTUnwrap(log.recoveryReports.first)
        XCTAssertGreaterThan(report.truncatedBytes, 0)
        XCTAssertEqual(report.truncatedAtOffset, 299)
        XCTAssertTrue(report.summary.contains("offset 299"), report.summary)
        let offset = try await log.partition(try TopicName("permits"), 0).append(value: [1])
        XCTAssertEqual(offset, 299)
        await log.close()
    }

    func testGarbageTailIsRecoveredWithAReport() async throws {
        try await fill()
        let last = try XCTUnwrap(segments().last)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: last))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 16)
        try handle.write(contentsOf: Data((0..<16).map { _ in UInt8.random(in: 0...255) }))
        try handle.close()
        let log = try Log.open(directory: directory.path)
        let report = try XCTUnwrap(log.recoveryReports.first)
        XCTAssertEqual(report.truncatedAtOffset, 299, report.summary)
        await log.close()
        let verify = try runCommand(Products.executable("simpul"), ["log", "verify", "--data-dir", directory.path])
        XCTAssertEqual(verify.status, 0, verify.standardOutput + verify.standardError)
    }

    func testFlippedByteInAnOldSegmentIsNamedByVerifyAndReads() async throws {
        try await fill()
        let first = try XCTUnwrap(segments().first)
        XCTAssertGreaterThan(segments().count, 1)
        let position: UInt64 = 2_000_000
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: first))
        try handle.seek(toOffset: position)
        let original = try XCTUnwrap(handle.readData(ofLength: 1).first)
        try handle.seek(toOffset: position)
        try handle.write(contentsOf: Data([original ^ 0x10]))
        try handle.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: first))

        let result = try runCommand(Products.executable("simpul"), ["log", "verify", "--data-dir", directory.path])
        XCTAssertEqual(result.status, 1, result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("DAMAGED permits/0/00000000000000000000.log"), result.standardOutput)
        let json = try runCommand(Products.executable("simpul"), ["log", "verify", "--data-dir", directory.path, "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        XCTAssertEqual(document?["clean"] as? Bool, false)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), before, "verify must change nothing")

        let log = try Log.open(directory: directory.path)
        let partition = try log.partition(try TopicName("permits"), 0)
        XCTAssertEqual(partition.endOffset, 300, "open must not cut a sealed segment")
        let damagedOffset = Int64((Int(position) - 24) / (30_000 + 28))
        XCTAssertThrowsError(try partition.read(from: damagedOffset, maxRecords: 1)) { error in
            XCTAssertTrue("\(error)".contains("00000000000000000000.log"), "\(error)")
            XCTAssertTrue("\(error)".contains("offset \(damagedOffset)"), "\(error)")
        }
        XCTAssertEqual(try partition.read(from: damagedOffset - 1, maxRecords: 1).first?.offset, damagedOffset - 1)
        XCTAssertEqual(try partition.read(from: damagedOffset + 1, maxRecords: 1).first?.offset, damagedOffset + 1)
        await log.close()
    }

    func testVerifyOfAMissingDirectoryIsAUsageError() throws {
        let result = try runCommand(Products.executable("simpul"), ["log", "verify", "--data-dir", directory.path + "/nope"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("no such data directory"), result.standardError)
    }
}
