import XCTest
@testable import SimpulMapping

/// Goal: SIAK-style CSV reads with either separator, quotes, BOM and CRLF, and every
/// malformed input (unbalanced quote, wrong field count, invalid UTF-8, a 10 MB line)
/// fails with its line and record, never a crash.
final class CSVDecoderTests: XCTestCase {
    func testSemicolonQuotesBOMAndCRLF() throws {
        let text = "\u{FEFF}NIK;NAMA;ALAMAT\r\n1;\"SITI \"\"ANA\"\"\";\"JL. A; NO. 1\"\r\n\r\n2;BUDI;\"multi\nline\"\r\n"
        let input = try CSVDecoder.decode(Array(text.utf8))
        XCTAssertEqual(input.records.count, 2)
        XCTAssertEqual(input.records[0].value, .object(JSONObject([
            ("NIK", .string("1")), ("NAMA", .string("SITI \"ANA\"")), ("ALAMAT", .string("JL. A; NO. 1")),
        ])))
        XCTAssertEqual(input.records[1].value["ALAMAT"], .string("multi\nline"))
        XCTAssertEqual(input.records.map(\.position), [1, 2])
        XCTAssertEqual(input.records.map(\.line), [2, 4])
    }

    func testCommaSeparatedWithoutFinalNewline() throws {
        let input = try CSVDecoder.decode(Array("a,b\n1,\"x,y\"".utf8))
        XCTAssertEqual(input.records.first?.value["b"], .string("x,y"))
    }

    func testUnbalancedQuoteIsLocatedWhereItOpens() {
        assertError("A;B\n1;2\n3;\"open\n4;5\n", line: 3, record: 2, fragment: "never closed")
    }

    func testFieldCountMismatchNamesTheRecord() {
        assertError("A;B;C\n1;2;3\n1;2\n", line: 3, record: 2, fragment: "has 2 fields but the header has 3")
    }

    func testTextAfterClosingQuote() {
        assertError("A;B\n\"x\"y;2\n", line: 2, record: 1, fragment: "after a closing quote")
    }

    func testInvalidUTF8() {
        var bytes = Array("A;B\n1;".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\n".utf8)
        XCTAssertThrowsError(try CSVDecoder.decode(bytes)) { error in
            guard let error = error as? DecodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.column, 3)
            XCTAssertTrue(error.message.contains("invalid UTF-8"))
        }
    }

    func testTenMegabyteLineIsRefusedWithItsLine() {
        var bytes = Array("A;B\n1;2\n".utf8)
        bytes += Array(repeating: UInt8(ascii: "x"), count: 10 << 20)
        bytes += Array(";2\n".utf8)
        assertError(bytes, line: 3, record: 2, fragment: "the limit is \(DecodeLimits.lineBytesMax)")
        var ndjson = Array("{}\n\"".utf8)
        ndjson += Array(repeating: UInt8(ascii: "x"), count: 10 << 20)
        ndjson += Array("\"\n".utf8)
        XCTAssertThrowsError(try JSONRecordDecoder.decodeNDJSON(ndjson)) { error in
            XCTAssertEqual((error as? DecodeError)?.line, 2, "\(error)")
        }
    }

    func testDuplicateAndEmptyHeaderNames() {
        assertError("A;A\n1;2\n", line: 1, record: nil, fragment: "twice")
        assertError("A;;B\n1;2;3\n", line: 1, record: nil, fragment: "no name")
    }

    private func assertError(_ text: String, line: Int, record: Int?, fragment: String, file: StaticString = #filePath, lineNumber: UInt = #line) {
        assertError(Array(text.utf8), line: line, record: record, fragment: fragment, file: file, lineNumber: lineNumber)
    }

    private func assertError(_ bytes: [UInt8], line: Int, record: Int?, fragment: String, file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try CSVDecoder.decode(bytes), file: file, line: lineNumber) { error in
            guard let error = error as? DecodeError else { return XCTFail("\(error)", file: file, line: lineNumber) }
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: lineNumber)
            XCTAssertEqual(error.record, record, "\(error)", file: file, line: lineNumber)
            XCTAssertTrue(error.message.contains(fragment), "\(error)", file: file, line: lineNumber)
        }
    }
}
