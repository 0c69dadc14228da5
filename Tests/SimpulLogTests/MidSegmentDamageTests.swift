import XCTest
@testable import SimpulLog
import SimpulTestSupport

/// Regression (found by the runbook session): damage in the middle of the newest segment,
/// inside the torn-write window but followed by megabytes of intact records, was cut as a
/// "torn write", silently deleting ~10,000 acknowledged records. It must be refused.
final class MidSegmentDamageTests: XCTestCase {
    func testDamageFollowedByIntactRecordsIsRefusedNotCut() async throws {
        let directory = "/data/topics/t/0"
        let io = SimulatedStorageIO(seed: 7)
        var options = PartitionOptions()
        options.freeBytesFloor = 0
        let partition = try Partition.open(directory: directory, options: options, io: io)
        let value = [UInt8](repeating: 0x61, count: 400)
        for _ in 0..<10 { _ = try await partition.append((0..<1000).map { _ in AppendRecord(value: value) }) }
        await partition.close()
        guard let path = io.allFiles.first(where: { $0.hasSuffix(".log") }), var bytes = io.contents(of: path) else {
            return XCTFail("no segment")
        }
        XCTAssertGreaterThan(bytes.count, 4_000_000)
        bytes[200_000] ^= 0xFF
        bytes[200_001] ^= 0xFF
        io.replaceContents(of: path, with: bytes)

        XCTAssertThrowsError(try Partition.open(directory: directory, options: options, io: io)) { error in
            guard case LogError.corruption(let report) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(report.detail.contains("not a torn write"), report.detail)
        }
        XCTAssertEqual(io.contents(of: path)?.count, bytes.count, "nothing was cut")
    }
}
