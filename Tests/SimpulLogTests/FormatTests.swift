import XCTest
@testable import SimpulLog

/// Goal: the on-disk codecs match their drawn layouts and reject every malformed input.
final class FormatTests: XCTestCase {
    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        let text = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(text)
        let split = CRC32C.checksum(Array(text[11...]), continuing: CRC32C.checksum(Array(text[..<11])))
        XCTAssertEqual(whole, split, "checksums continue across pieces")
    }

    func testFrameRoundTripAndLayout() {
        var buffer: [UInt8] = []
        let key = Array("6471010101900001".utf8)
        let value = Array("{\"nik\":\"6471010101900001\"}".utf8)
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in
            RecordFrame.encode(offset: 77, timestampMs: 1_700_000_000_000, key: k, value: v, into: &buffer)
        } }
        XCTAssertEqual(buffer.count, 28 + key.count + value.count)
        buffer.withUnsafeBytes { raw in
            XCTAssertEqual(raw.readUInt32(at: 0), UInt32(buffer.count - 4), "length excludes itself")
            XCTAssertEqual(RecordFrame.probe(raw), .valid(offset: 77, size: buffer.count))
            let record = RecordFrame.decode(raw)
            XCTAssertEqual(record, LogRecord(offset: 77, timestampMs: 1_700_000_000_000, key: key, value: value))
        }
    }

    func testProbeRejectsEveryFlippedBitAndEveryCut() {
        var buffer: [UInt8] = []
        [UInt8](repeating: 9, count: 10).withUnsafeBytes { k in [UInt8](repeating: 3, count: 40).withUnsafeBytes { v in
            RecordFrame.encode(offset: 1, timestampMs: 2, key: k, value: v, into: &buffer)
        } }
        for byte in 0..<buffer.count {
            for bit in 0..<8 {
                var damaged = buffer
                damaged[byte] ^= UInt8(1 << bit)
                let probe = damaged.withUnsafeBytes { RecordFrame.probe($0) }
                if case .valid = probe { XCTFail("flip of bit \(bit) in byte \(byte) went unnoticed") }
            }
        }
        for cut in 0..<buffer.count {
            let probe = buffer[0..<cut].withUnsafeBytes { RecordFrame.probe($0) }
            if case .valid = probe { XCTFail("a frame cut at \(cut) was accepted") }
        }
    }

    func testHeaderRefusesANewerFormatWithAnUpgradeMessage() {
        var bytes = FileHeader(kind: .segment, baseOffset: 5, version: 2).encoded()
        XCTAssertThrowsError(try FileHeader.decode(bytes[...])) { error in
            XCTAssertTrue("\(error)".contains("upgrade Simpul"), "\(error)")
        }
        bytes = FileHeader(kind: .index, baseOffset: 5).encoded()
        XCTAssertEqual(try FileHeader.decode(bytes[...]), FileHeader(kind: .index, baseOffset: 5))
        bytes[20] ^= 1
        XCTAssertThrowsError(try FileHeader.decode(bytes[...]))
    }

    func testIndexFloorLookup() {
        let index = OffsetIndex(capacity: 10)
        for (relative, position) in [(0, 24), (10, 500), (20, 1000), (30, 1500)] {
            index.append(relativeOffset: UInt32(relative), position: UInt32(position))
        }
        XCTAssertEqual(index.floorEntry(for: 0, limit: 4)?.position, 24)
        XCTAssertEqual(index.floorEntry(for: 15, limit: 4)?.position, 500)
        XCTAssertEqual(index.floorEntry(for: 30, limit: 4)?.position, 1500)
        XCTAssertEqual(index.floorEntry(for: 99, limit: 3)?.position, 1000, "entries past the limit are not seen")
        XCTAssertEqual(SegmentFileName.log(1024), "00000000000000001024.log")
        XCTAssertEqual(SegmentFileName.baseOffset(ofLog: "00000000000000001024.log"), 1024)
        XCTAssertNil(SegmentFileName.baseOffset(ofLog: "0000000000000000102x.log"))
    }
}
