import Foundation
import XCTest
@testable import SimpulMapping

/// Goal: the reader and the writer skip eight bytes of string text at a time only when
/// none of them is a quote, a backslash or a control character, so that strings read and
/// written are the same as byte by byte: every byte value at every place of a word, words
/// of random bytes, and strings whose escapes fall on and across word boundaries.
final class JSONStringScanTests: XCTestCase {
    func needsLookingAt(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C }

    func testEveryByteAtEveryPlaceIsSeen() {
        for byte in 0...255 {
            for place in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[place] = UInt8(byte)
                let word = bytes.withUnsafeBufferPointer { JSONStringScan.word($0, at: 0) }
                guard let word else { return XCTFail("no word from eight bytes") }
                XCTAssertEqual(JSONStringScan.mayEndRun(word), needsLookingAt(UInt8(byte)), "byte \(byte) at \(place)")
            }
        }
    }

    func testRandomWordsAreNeverSkippedWhenTheyHoldSuchAByte() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let word = UInt64.random(in: .min ... .max, using: &generator)
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
            if bytes.contains(where: needsLookingAt) { XCTAssertTrue(JSONStringScan.mayEndRun(word), "\(word)") }
        }
    }

    func testStringsReadAndWrittenAcrossWordBoundaries() throws {
        let pieces = ["abcdefgh", "é", "\"", "\\", "\n", "\u{01}", "\u{1F}", "/", "日本", "x", "🙂"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            let written = JSONWriter.write(.string(text))
            XCTAssertEqual(written, escapedByteByByte(text), "write \(text.debugDescription)")
            XCTAssertEqual(try JSONReader.parse(written), .string(text), "read back \(text.debugDescription)")
        }
    }

    /// The writer's documented escaping, one byte at a time.
    func escapedByteByByte(_ text: String) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case 0x22: output += Array("\\\"".utf8)
            case 0x5C: output += Array("\\\\".utf8)
            case 0x08: output += Array("\\b".utf8)
            case 0x0C: output += Array("\\f".utf8)
            case 0x0A: output += Array("\\n".utf8)
            case 0x0D: output += Array("\\r".utf8)
            case 0x09: output += Array("\\t".utf8)
            case 0..<0x20: output += Array(String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return output
    }
}
