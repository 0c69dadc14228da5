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
