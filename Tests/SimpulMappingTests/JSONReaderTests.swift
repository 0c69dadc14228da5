import XCTest
@testable import SimpulMapping

/// Goal: the reader keeps numbers as written and member order, decodes every escape,
/// and refuses malformed input with the line and column of the fault; the writer escapes
/// exactly what RFC 8259 requires.
final class JSONReaderTests: XCTestCase {
    func testNumbersKeepTheirTextAndObjectsTheirOrder() throws {
        let value = try JSONReader.parse(Array(#"{"b":20.000000000001,"a":[1e5,-0,true,null],"c":"x"}"#.utf8))
        XCTAssertEqual(value, .object(JSONObject([
            ("b", .number("20.000000000001")),
            ("a", .array([.number("1e5"), .number("-0"), .bool(true), .null])),
            ("c", .string("x")),
        ])))
    }

    func testEscapesAndSurrogatePairs() throws {
        let value = try JSONReader.parse(Array(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude42""#.utf8))
        XCTAssertEqual(value, .string("a\"\\/\u{08}\u{0C}\n\r\té🙂"))
    }

    func testWriterEscapesControlsQuotesAndBackslashOnly() {
        let text = JSONValue.string("q\"b\\n\n\u{01}é/🙂").jsonText
        XCTAssertEqual(text, #""q\"b\\n\n\u0001é/🙂""#)
    }

    func testMalformedInputsAreLocated() {
        let cases: [(String, Int, Int, String)] = [
            ("{\"a\":1,}", 1, 8, "expected a quoted member name"),
            ("[1,\n2,\n@]", 3, 1, "expected a JSON value"),
            ("{\"a\" 1}", 1, 6, "expected ':'"),
            ("[01]", 1, 3, "leading zero"),
            ("\"abc", 1, 1, "not closed"),
            ("[1, 2", 1, 6, "truncated"),
            ("\"\\ud800\"", 1, 8, "lone UTF-16 surrogate"),
            ("tru", 1, 1, "literal"),
            ("{} x", 1, 4, "after the end"),
            ("", 1, 1, "empty"),
        ]
        for (input, line, column, fragment) in cases {
            XCTAssertThrowsError(try JSONReader.parse(Array(input.utf8)), input) { error in
                guard let error = error as? DecodeError else { return XCTFail("\(input): \(error)") }
                XCTAssertEqual(error.line, line, "\(input): \(error)")
                XCTAssertEqual(error.column, column, "\(input): \(error)")
                XCTAssertTrue(error.message.contains(fragment), "\(input): \(error.message)")
            }
        }
    }

    func testInvalidUTF8IsRefused() {
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertTrue("\(error)".contains("invalid UTF-8"), "\(error)")
        }
    }

    func testDeepNestingIsRefusedNotRecursedInto() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        XCTAssertThrowsError(try JSONReader.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting deeper than \(DecodeLimits.nestingDepthMax)"), "\(error)")
        }
        let fine = Array(repeating: UInt8(ascii: "["), count: 100) + Array(repeating: UInt8(ascii: "]"), count: 100)
        XCTAssertNoThrow(try JSONReader.parse(fine))
    }

    func testNDJSONErrorsNameTheLineAndRecord() {
        let input = Array("{\"a\":1}\n\n{\"a\":2}\n{\"a\":\n".utf8)
        XCTAssertThrowsError(try JSONRecordDecoder.decodeNDJSON(input)) { error in
            guard let error = error as? DecodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 4)
            XCTAssertEqual(error.record, 3)
            XCTAssertEqual(error.format, .ndjson)
        }
        XCTAssertEqual(try JSONRecordDecoder.decodeNDJSON(Array("{\"a\":1}\r\n{\"a\":2}".utf8)).records.map(\.line), [1, 2])
    }

    func testArrayRecordsCarryTheLineWhereTheyStart() throws {
        let input = try JSONRecordDecoder.decodeJSON(Array("[\n  {\"a\": [1,\n 2]},\n\n  {\"b\": 2}, {\"c\": 3}\n]".utf8))
        XCTAssertEqual(input.records.map(\.line), [2, 5, 5])
        XCTAssertEqual(input.records.map(\.position), [1, 2, 3])
        let collection = try JSONRecordDecoder.decodeGeoJSON(Array("""
            {"type": "FeatureCollection", "bbox": [1,
             2], "features": [
              {"type": "Feature", "properties": {"a": [1, 2]}},
              {"type": "Feature"}]}
            """.utf8))
        XCTAssertEqual(collection.records.map(\.line), [3, 4])
    }
}
