import XCTest
@testable import SimpulMapping

/// Goal: every date form of DOMAIN.md reads to ISO, WITA times get +08:00, impossible
/// dates are `date.invalid`, Indonesian numbers parse and ambiguous ones are refused,
/// enums match case-insensitively and name the allowed values.
final class TransformTests: XCTestCase {
    func testDateForms() {
        let cases: [(String, String)] = [
            ("12-01-2024", "2024-01-12"), ("12/01/2024", "2024-01-12"), ("2024-01-12", "2024-01-12"),
            ("12 Januari 2024", "2024-01-12"), ("1 Agt 2023", "2023-08-01"), ("5 agu 2023", "2023-08-05"),
            ("29 Februari 2024", "2024-02-29"), ("31 Des 1999", "1999-12-31"), ("7 Mei 2020", "2020-05-07"),
            (" 12-01-2024 ", "2024-01-12"), ("1-1-2024", "2024-01-01"), ("5/3/2024", "2024-03-05"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(apply(.date, .string(input)), .string(expected), input)
        }
    }

    func testDateTimesInWITA() {
        XCTAssertEqual(apply(.dateTime, .string("2024-01-10 09:15:00")), .string("2024-01-10T09:15:00+08:00"))
        XCTAssertEqual(apply(.dateTime, .string("10-01-2024 09:15")), .string("2024-01-10T09:15:00+08:00"))
        XCTAssertEqual(apply(.dateTime, .string("2024-01-10T01:15:00Z")), .string("2024-01-10T01:15:00Z"))
        XCTAssertEqual(apply(.dateTime, .string("2024-01-10T09:15:00+07:00")), .string("2024-01-10T09:15:00+07:00"))
        XCTAssertEqual(apply(.dateTime, .string("12/01/2024")), .string("2024-01-12"))
    }

    func testImpossibleAndUnknownDates() {
        for input in ["31-02-2024", "29 Februari 2023", "2024-13-01", "00-01-2024", "12 Foo 2024", "2024/01/10", "12-01-24", "2024-01-10 25:00:00", "kemarin"] {
            XCTAssertEqual(issue(.dateTime, .string(input))?.code, "date.invalid", input)
        }
        XCTAssertEqual(issue(.date, .string("2024-01-10 09:15:00"))?.code, "date.invalid")
    }

    func testIndonesianNumbers() {
        let cases: [(String, String?)] = [
            ("1.234,5", "1234.5"), ("20.000", "20000"), ("60", "60"), ("1,5", "1.5"), ("-3.000,25", "-3000.25"),
            ("007", "7"), ("1.5", nil), ("1.23.456", nil), ("1,2,3", nil), ("abc", nil), ("1.234,", nil),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(IndonesianNumber.parse(input), expected, input)
        }
        XCTAssertEqual(apply(.number, .number("1.5e3")), .number("1.5e3"), "a JSON number is taken as it is")
        XCTAssertEqual(issue(.number, .string("1.5"))?.code, "number.invalid")
    }

    func testEnumTable() {
        let table = Transform.enumTable(EnumTable([("Sangat Segera", .string("very_urgent")), ("Biasa", .string("normal"))]))
        XCTAssertEqual(apply(table, .string("SANGAT SEGERA ")), .string("very_urgent"))
        let unknown = issue(table, .string("Penting"))
        XCTAssertEqual(unknown?.code, "enum.unknown")
        XCTAssertTrue(unknown?.message.contains("\"Penting\"; allowed: Sangat Segera, Biasa") ?? false, "\(String(describing: unknown))")
    }

    func testCRSNames() {
        XCTAssertEqual(apply(.crs, .string("urn:ogc:def:crs:EPSG::32750")), .string("EPSG:32750"))
        XCTAssertEqual(apply(.crs, .number("32650")), .string("EPSG:32650"))
        XCTAssertEqual(apply(.crs, .string("SRID=4326;POLYGON((1 2, 3 4))")), .string("EPSG:4326"))
        XCTAssertNil(apply(.crs, .string("POLYGON((1 2, 3 4))")))
        XCTAssertEqual(issue(.crs, .string("EPSG:3857"))?.code, "geometry.unsupported_crs")
    }

    func testRegexSplitPadAndCase() throws {
        let regex = Transform.regex(try RegexRule(pattern: "^(\\d{3})\\.(\\d+)", template: "$1-$2", code: "x.y"))
        XCTAssertEqual(apply(regex, .string("500.16 lain")), .string("500-16"))
        XCTAssertEqual(issue(regex, .string("abc"))?.code, "x.y")
        XCTAssertEqual(apply(.split(","), .string("47111, 56101,,")), .array([.string("47111"), .string("56101")]))
        XCTAssertEqual(apply(.zeroPad(3), .string("5")), .string("005"))
        XCTAssertEqual(apply(.zeroPad(3), .string("0A5")), .string("0A5"))
        XCTAssertEqual(apply(.upper, .string("r-3")), .string("R-3"))
        XCTAssertNil(apply(.trim, .string("   ")), "blank becomes missing")
    }

    func testRegionCodeFromNames() {
        let villages = Transform.regionCode(RegionCodeTable(level: .village, within: "64"))
        XCTAssertEqual(apply(villages, .string("Manggar")), .string("64.71.01.1001"))
        XCTAssertEqual(apply(villages, .string("GUNUNGSARI ULU")), .string("64.71.04.1001"), "spelling-tolerant fallback")
        XCTAssertNil(apply(villages, .string("Atlantis")), "unknown names give no code, not an issue")
        let districts = Transform.regionCode(RegionCodeTable(level: .district, within: "64.74"))
        XCTAssertEqual(apply(districts, .string("Bontang Barat")), .string("64.74.03"))
        XCTAssertNil(apply(districts, .string("Balikpapan Timur")), "outside `within`")
    }

    private func apply(_ transform: Transform, _ value: JSONValue) -> JSONValue? {
        switch transform.apply(value, field: "f") {
        case .success(let result): return result
        case .failure(let issue):
            XCTFail("unexpected issue \(issue)")
            return nil
        }
    }

    private func issue(_ transform: Transform, _ value: JSONValue) -> ValidationIssue? {
        if case .failure(let issue) = transform.apply(value, field: "f") { return issue }
        return nil
    }
}
