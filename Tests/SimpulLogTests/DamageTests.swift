import XCTest
@testable import SimpulLog
import SimpulTestSupport

/// Goal (RELIABILITY.md L3–L6): a torn tail is cut and reported, damage in sealed segments
/// is found and named but never cut, and the index is only a cache.
final class DamageTests: XCTestCase {
    private let directory = "/data/topics/t/0"

    /// A partition of several sealed segments plus an active one, closed cleanly.
    private func makeLog(records: Int = 200) async throws -> (SimulatedStorageIO, [[UInt8]]) {
        let io = SimulatedStorageIO(seed: 42)
        let partition = try Partition.open(directory: directory, options: tinyOptions(), io: io)
        let attempts = await runAppends(partition, count: records, seed: 5, stopOnError: true)
        await partition.close()
        XCTAssertEqual(attempts.compactMap(\.offset).count, records)
        return (io, attempts.map(\.value))
    }

    private func segmentPaths(_ io: SimulatedStorageIO) -> [String] {
        io.allFiles.filter { $0.hasPrefix(directory + "/") && $0.hasSuffix(".log") }
    }

    /// L3: cut the last record at every byte, and garble the last 1…16 bytes of each cut.
    func testTornTailExhaustive() async throws {
        let (io, values) = try await makeLog(records: 40)
        guard let last = segmentPaths(io).last, let pristine = io.contents(of: last) else { return XCTFail("no segment") }
        let lastFrame = RecordFrame.size(keyCount: 0, valueCount: values[values.count - 1].count)
        let lastStart = pristine.count - lastFrame
        var cases = 0
        for cut in lastStart..<pristine.count {
            for garbage in 0...16 {
                var bytes = Array(pristine[0..<cut])
                var random = SeededRandom(seed: UInt64(cut * 17 + garbage))
                for index in max(lastStart, cut - garbage)..<cut { bytes[index] = UInt8.random(in: 0...255, using: &random) }
                let damaged = SimulatedStorageIO(seed: 1)
                for path in io.allFiles { damaged.replaceContentsCreating(path, with: io.contents(of: path) ?? []) }
                damaged.replaceContents(of: last, with: bytes)
                let partition = try Partition.open(directory: directory, options: tinyOptions(), io: damaged)
                let report = partition.recoveryReport
                let context = "cut at \(cut), \(garbage) garbage bytes"
                if cut > lastStart {
                    XCTAssertEqual(report.truncatedBytes, cut - lastStart, context)
                }
                if report.truncatedBytes > 0 {
                    XCTAssertEqual(report.truncatedAtOffset, Int64(values.count - 1), context)
                    XCTAssertTrue(report.summary.contains("offset \(values.count - 1)"), context)
                }
                XCTAssertEqual(partition.endOffset, Int64(values.count - 1), context)
                let appended = try await partition.append(value: [9])
                XCTAssertEqual(appended, Int64(values.count - 1), context)
                await partition.close()
                cases += 1
            }
        }
        XCTAssertEqual(cases, lastFrame * 17)
    }

    /// L4: a flipped bit in a sealed segment is detected by `log verify` and by any read of
    /// the record, open does not cut the segment, and records on either side stay readable.
    func testBitFlipsInSealedSegmentsAreNeverSkipped() async throws {
        let (io, values) = try await makeLog()
        let sealed = segmentPaths(io).dropLast()
        XCTAssertGreaterThan(sealed.count, 2)
        let trials = 1_000
        for trial in 0..<trials {
            var random = SeededRandom(seed: UInt64(trial))
            let copy = SimulatedStorageIO(seed: 1)
            for path in io.allFiles { copy.replaceContentsCreating(path, with: io.contents(of: path) ?? []) }
            let path = sealed.randomElement(using: &random)!
            let size = io.contents(of: path)!.count
            let byte = Int.random(in: FileHeader.bytes..<size, using: &random)
            copy.flipBit(path: path, byte: byte, bit: Int.random(in: 0..<8, using: &random))
            let context = "trial \(trial): bit flip in \(path) at byte \(byte)"

            var report = LogVerifier.Report()
            try LogVerifier(io: copy).verifyPartition(directory, report: &report)
            XCTAssertFalse(report.isClean, context)
            XCTAssertTrue(report.damage.contains { path.hasSuffix($0.file.split(separator: "/").last.map(String.init) ?? "") }, context)

            let partition = try Partition.open(directory: directory, options: tinyOptions(), io: copy)
            XCTAssertEqual(partition.endOffset, Int64(values.count), "open must not cut a sealed segment (\(context))")
            var unreadable = 0
            for offset in 0..<values.count {
                do {
                    let record = try partition.read(from: Int64(offset), maxRecords: 1).first
                    XCTAssertEqual(record?.offset, Int64(offset), context)
                    XCTAssertEqual(record?.value, values[offset], "a read returned damaged bytes (\(context))")
                } catch LogError.corruption(let damage) {
                    XCTAssertTrue(path.hasSuffix(damage.file), context)
                    unreadable += 1
                }
            }
            XCTAssertGreaterThanOrEqual(unreadable, 1, "no read noticed the damage (\(context))")
            XCTAssertLessThanOrEqual(unreadable, 2, "records around the damage must stay readable (\(context))")
            await partition.close()
        }
    }

    /// L5: an old chunk restored over a sealed segment, or a truncated sealed segment, is
    /// never reported clean.
    func testStaleChunkAndTruncatedSealedSegmentAreDetected() async throws {
        let (io, _) = try await makeLog()
        let sealed = Array(segmentPaths(io).dropLast())
        // Stale chunk: the first half of segment 2 is replaced by segment 1's bytes.
        let copy = SimulatedStorageIO(seed: 1)
        for path in io.allFiles { copy.replaceContentsCreating(path, with: io.contents(of: path) ?? []) }
        var target = io.contents(of: sealed[1])!
        let older = io.contents(of: sealed[0])!
        let chunk = min(1024, target.count - FileHeader.bytes, older.count - FileHeader.bytes)
        target.replaceSubrange(FileHeader.bytes..<(FileHeader.bytes + chunk), with: older[FileHeader.bytes..<(FileHeader.bytes + chunk)])
        copy.replaceContents(of: sealed[1], with: target)
        var report = LogVerifier.Report()
        try LogVerifier(io: copy).verifyPartition(directory, report: &report)
        XCTAssertFalse(report.isClean, "a stale chunk was reported clean")

        // Truncation of a sealed segment: open and verify both name it.
        let cut = SimulatedStorageIO(seed: 1)
        for path in io.allFiles { cut.replaceContentsCreating(path, with: io.contents(of: path) ?? []) }
        // Cut exactly the last record, at a frame boundary: nothing looks torn, the segment
        // simply ends one offset early.
        let original = io.contents(of: sealed[1])!
        let nextBase = SegmentFileName.baseOffset(ofLog: String(sealed[2].split(separator: "/").last ?? ""))!
        let lastFrame = RecordFrame.size(keyCount: 0, valueCount: workloadValue(Int(nextBase - 1), seed: 5).count)
        cut.replaceContents(of: sealed[1], with: Array(original[0..<(original.count - lastFrame)]))
        var cutReport = LogVerifier.Report()
        try LogVerifier(io: cut).verifyPartition(directory, report: &cutReport)
        XCTAssertFalse(cutReport.isClean, "a truncated sealed segment was reported clean")
        let partition = try Partition.open(directory: directory, options: tinyOptions(), io: cut)
        XCTAssertFalse(partition.recoveryReport.damage.isEmpty, "open must report a truncated sealed segment")
        // Every offset of the damaged segment is either read correctly or refused by name.
        let missing = (0..<partition.endOffset).filter { offset in
            (try? partition.read(from: offset, maxRecords: 1).first?.offset) != offset
        }
        XCTAssertFalse(missing.isEmpty)
        for offset in missing {
            XCTAssertThrowsError(try partition.read(from: offset, maxRecords: 1), "offset \(offset) was skipped silently") { error in
                guard case LogError.corruption(let damage) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(sealed[1].hasSuffix(damage.file), "\(damage)")
            }
        }
        await partition.close()
    }

    /// L6: deleting, zeroing or truncating index files changes no read.
    func testTheIndexIsACache() async throws {
        let (io, values) = try await makeLog(records: 300)
        let indexes = io.allFiles.filter { $0.hasSuffix(".idx") }
        var random = SeededRandom(seed: 6)
        for (number, path) in indexes.enumerated() {
            let bytes = io.contents(of: path) ?? []
            switch number % 3 {
            case 0: io.removeFile(path)
            case 1: io.replaceContents(of: path, with: [UInt8](repeating: 0, count: bytes.count))
            default: io.replaceContents(of: path, with: Array(bytes.prefix(bytes.count / 2 + 3)))
            }
        }
        let partition = try Partition.open(directory: directory, options: tinyOptions(), io: io)
        XCTAssertFalse(partition.recoveryReport.rebuiltIndexes.isEmpty)
        for _ in 0..<1_000 {
            let offset = Int.random(in: 0..<values.count, using: &random)
            XCTAssertEqual(try partition.read(from: Int64(offset), maxRecords: 1).first?.value, values[offset],
                           "offset \(offset) (seed 6)")
        }
        await partition.close()
    }
}
