import Foundation
import XCTest
@testable import SimpulMapping

/// Goal: XML becomes the documented JSON shape (repeats → arrays, attributes → members),
/// records are the configured element, and broken XML is located, never a crash.
final class XMLDecoderTests: XCTestCase {
    func testShapeAndRecords() throws {
        let xml = """
            <daftar_surat>
              <surat><nomor>1</nomor><penerima><tujuan><nama>A</nama></tujuan><tujuan><nama>B</nama></tujuan></penerima>
                <lampiran><berkas nama="a.pdf" tipe="application/pdf"/></lampiran><catatan/></surat>
              <surat><nomor>2</nomor></surat>
            </daftar_surat>
            """
        let input = try XMLRecordDecoder.decode(Array(xml.utf8), recordElement: "surat")
        XCTAssertEqual(input.records.count, 2)
        XCTAssertEqual(input.records.map(\.line), [2, 4])
        let first = input.records[0].value
        XCTAssertEqual(first["nomor"], .string("1"))
        XCTAssertEqual(first["penerima"]?["tujuan"], .array([
            .object(JSONObject([("nama", .string("A"))])), .object(JSONObject([("nama", .string("B"))])),
        ]))
        XCTAssertEqual(first["lampiran"]?["berkas"], .object(JSONObject([("nama", .string("a.pdf")), ("tipe", .string("application/pdf"))])))
        XCTAssertEqual(first["catatan"], .string(""))
    }

    func testRootAsTheRecord() throws {
        let input = try XMLRecordDecoder.decode(Array("<surat><nomor>9</nomor></surat>".utf8), recordElement: "surat")
        XCTAssertEqual(input.records.map(\.value), [.object(JSONObject([("nomor", .string("9"))]))])
    }

    func testMalformedXMLIsLocated() {
        let cases: [(String, Int)] = [
            ("<surat>\n<nomor>1</nomor>\n<perihal>x", 3),          // truncated
            ("<surat>\n<nomor>1</perihal>\n</surat>", 2),          // mismatched tag
            ("<a>\n<surat>\u{0}</surat></a>", 2),                 // control character
        ]
        for (xml, line) in cases {
            XCTAssertThrowsError(try XMLRecordDecoder.decode(Array(xml.utf8), recordElement: "surat"), xml) { error in
                guard let error = error as? DecodeError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.format, .xml)
                XCTAssertGreaterThanOrEqual(error.line, line - 1, "\(xml): \(error)")
                XCTAssertTrue(error.message.contains("malformed XML"), "\(error)")
            }
        }
    }

    func testInvalidUTF8AndDeepNesting() {
        var bytes = Array("<surat><nomor>".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("</nomor></surat>".utf8)
        XCTAssertThrowsError(try XMLRecordDecoder.decode(bytes, recordElement: "surat"))
        let deep = String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000)
        XCTAssertThrowsError(try XMLRecordDecoder.decode(Array(deep.utf8), recordElement: "surat")) { error in
            XCTAssertTrue("\(error)".contains("nested deeper") || "\(error)".contains("malformed"), "\(error)")
        }
    }

    func testMissingRecordElementSaysWhatWasExpected() {
        XCTAssertThrowsError(try XMLRecordDecoder.decode(Array("<daftar><x/></daftar>".utf8), recordElement: "surat")) { error in
            XCTAssertTrue("\(error)".contains("holds no <surat>"), "\(error)")
        }
    }
}

/// Regressions found by `scripts/fuzz.sh`, replayed from `Fixtures/fuzz/`.
final class FuzzRegressionTests: XCTestCase {
    /// FoundationXML trapped on invalid UTF-8 inside an element name; now refused first.
    func testInvalidUTF8InXMLElementNameIsLocatedNotATrap() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "xml-invalid-utf8-element-name", withExtension: "xml",
                                                  subdirectory: "Fixtures/fuzz"))
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertThrowsError(try XMLRecordDecoder.decode(bytes, recordElement: "surat")) { error in
            guard let error = error as? DecodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.column, 11)
            XCTAssertTrue(error.message.contains("invalid UTF-8"))
        }
    }

    /// FoundationXML dereferenced a null string on `<?name?>`; now refused first.
    func testEmptyProcessingInstructionIsLocatedNotACrash() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "xml-empty-processing-instruction", withExtension: "xml",
                                                  subdirectory: "Fixtures/fuzz"))
        XCTAssertThrowsError(try XMLRecordDecoder.decode([UInt8](try Data(contentsOf: url)), recordElement: "surat"))
        XCTAssertThrowsError(try XMLRecordDecoder.decode(Array("<a>\n<?pi?></a>".utf8), recordElement: "a")) { error in
            XCTAssertEqual((error as? DecodeError)?.line, 2)
        }
        XCTAssertNoThrow(try XMLRecordDecoder.decode(Array("<?xml version=\"1.0\"?><a><?pi data?></a>".utf8), recordElement: "a"))
    }

    func testUTF8CheckAgreesWithTheStandardLibrary() {
        let pool: [UInt8] = [0x41, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x99, 0x82, 0xED, 0xA0, 0x80, 0xC0, 0xFF]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0...12, using: &random)
            let bytes: [UInt8] = (0..<length).map { _ in pool[Int.random(in: 0..<pool.count, using: &random)] }
            let ours = bytes.withUnsafeBufferPointer { UTF8Check.firstInvalidOffset($0) } == nil
            XCTAssertEqual(ours, String(validating: bytes, as: UTF8.self) != nil, "\(bytes)")
        }
    }
}
