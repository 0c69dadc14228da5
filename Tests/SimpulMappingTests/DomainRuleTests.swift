import XCTest
@testable import SimpulMapping

/// Goal: the cross-field rules produce their codes (`date.invalid`, `status.transition`,
/// `status.time_order`, `disposition.before_letter_date`, `intensity.kdb_kdh_sum`,
/// `required.missing`, `enum.unknown`) exactly where DOMAIN.md says, and accept what it allows.
final class DomainRuleTests: XCTestCase {
    func testDateTable() {
        let table: [(String, Bool)] = [
            ("2024-02-29", true), ("2023-02-29", false), ("2024-02-30", false), ("2024-13-01", false),
            ("2024-00-10", false), ("0000-01-01", false), ("2024-04-31", false), ("2000-02-29", true), ("1900-02-29", false),
            ("2024-1-01", false), ("2024-02-13T10:30:00+08:00", true), ("2024-02-13T24:00:00Z", false),
            ("2024-02-13T10:30:00", false), ("2024-02-13T10:30:60Z", false), ("2024-02-13T10:30:00.5Z", true),
            ("2024-02-13t10:30:00z", true), ("2024-02-13T10:30:00+24:00", false), ("2024-02-13T10:30:00+08:00\n", false),
        ]
        for (text, valid) in table {
            let issues = DateValidator.validate(iso: text, field: "birthDate")
            XCTAssertEqual(issues.map(\.code), valid ? [] : ["date.invalid"], "'\(text)'")
        }
        XCTAssertEqual(DateValidator.validate(year: 2023, month: 2, day: 29, field: "d").map(\.code), ["date.invalid"])
        XCTAssertEqual(DateValidator.validate(year: 2024, month: 2, day: 29, field: "d"), [])
    }

    func testDateTimeOrdersAcrossOffsets() throws {
        let wita = try XCTUnwrap(ISODateTime("2024-02-13T10:00:00+08:00"))
        let utc = try XCTUnwrap(ISODateTime("2024-02-13T02:00:00Z"))
        XCTAssertEqual(wita.epochSeconds, utc.epochSeconds)
        XCTAssertEqual(try XCTUnwrap(ISODateTime("1970-01-01T00:00:00Z")).epochSeconds, 0)
    }

    func testStatusHistoryTable() {
        func steps(_ pairs: [(String, String)]) -> [StatusStep] { pairs.map { StatusStep(status: $0.0, at: $0.1) } }
        let t1 = "2024-01-10T09:00:00+08:00", t2 = "2024-01-11T09:00:00+08:00", t3 = "2024-01-12T09:00:00+08:00"
        // (status, history, expected codes with fields)
        let table: [(String?, [StatusStep], [String])] = [
            ("verified", steps([("submitted", t1), ("verified", t2)]), []),
            ("issued", steps([("submitted", t1), ("verified", t2), ("approved", t3), ("issued", t3)]), []),
            ("rejected", steps([("submitted", t1), ("rejected", t2)]), []),
            ("approved", steps([("submitted", t1), ("approved", t2)]), ["status.transition@statusHistory[1].status"]),
            ("submitted", steps([("issued", t1), ("submitted", t2)]), ["status.transition@statusHistory[1].status"]),
            ("verified", steps([("submitted", t2), ("verified", t1)]), ["status.time_order@statusHistory[1].at"]),
            // Offsets count: 09:00+08:00 is 01:00Z, before 02:00Z.
            ("verified", steps([("submitted", "2024-01-10T02:00:00Z"), ("verified", "2024-01-10T09:00:00+08:00")]),
             ["status.time_order@statusHistory[1].at"]),
            ("issued", steps([("submitted", t1), ("verified", t2)]), ["status.transition@status"]),
            ("done", steps([("submitted", t1)]), ["enum.unknown@status"]),
            ("submitted", steps([("filed", t1)]), ["enum.unknown@statusHistory[0].status", "status.transition@status"]),
            ("submitted", steps([("submitted", "2024-01-10 09:00:00")]), ["date.invalid@statusHistory[0].at"]),
            ("submitted", [], []),
        ]
        for (status, history, expected) in table {
            let issues = StatusHistoryValidator.validate(status: status, history: history)
            XCTAssertEqual(issues.map { "\($0.code)@\($0.field)" }, expected, "status \(status ?? "-") history \(history.map(\.status))")
        }
    }

    func testEveryAllowedStepAndNoOther() {
        let allowed: Set<String> = ["submitted>verified", "submitted>rejected", "verified>approved", "verified>rejected",
                                    "approved>issued", "issued>revoked", "issued>expired"]
        for from in StatusHistoryValidator.statuses {
            for to in StatusHistoryValidator.statuses {
                XCTAssertEqual(StatusHistoryValidator.isAllowed(from: from, to: to), allowed.contains("\(from)>\(to)"), "\(from) → \(to)")
            }
        }
    }

    func testDispositionTable() {
        let issues = DispositionValidator.validate(
            letterDate: "2024-01-12",
            dispositionDates: ["2024-01-12", "2024-01-11", "2024-01-13T08:00:00+08:00", "2024-01-11T23:59:00+08:00", nil, "2024-02-30"])
        XCTAssertEqual(issues.map { "\($0.code)@\($0.field)" }, [
            "disposition.before_letter_date@dispositions[1].date",
            "disposition.before_letter_date@dispositions[3].date",
            "date.invalid@dispositions[5].date",
        ])
    }

    func testIntensityTable() {
        let table: [(Double?, Double?, Bool)] = [(60, 40, true), (60, 41, false), (70.5, 29.5, true), (80, 30, false), (nil, 90, true), (90, nil, true)]
        for (kdb, kdh, valid) in table {
            XCTAssertEqual(IntensityValidator.validate(kdb: kdb, kdh: kdh).map(\.code), valid ? [] : ["intensity.kdb_kdh_sum"], "\(String(describing: kdb)) + \(String(describing: kdh))")
        }
        XCTAssertTrue(IntensityValidator.validate(kdb: 80, kdh: 30).first?.message.contains("110") ?? false)
    }

    func testRequiredAndEnum() {
        XCTAssertEqual(FieldValidator.validate(required: nil, field: "nik").map(\.code), ["required.missing"])
        XCTAssertEqual(FieldValidator.validate(required: .null, field: "nik").map(\.code), ["required.missing"])
        XCTAssertEqual(FieldValidator.validate(required: .string("  "), field: "nik").map(\.code), ["required.missing"])
        XCTAssertEqual(FieldValidator.validate(required: .string("x"), field: "nik"), [])
        let unknown = FieldValidator.validate(enumValue: "WARIA", allowed: ["LAKI-LAKI", "PEREMPUAN"], field: "sex")
        XCTAssertEqual(unknown.map(\.code), ["enum.unknown"])
        XCTAssertTrue(unknown[0].message.contains("WARIA") && unknown[0].message.contains("LAKI-LAKI, PEREMPUAN"))
        XCTAssertEqual(FieldValidator.validate(enumValue: "PEREMPUAN", allowed: ["LAKI-LAKI", "PEREMPUAN"], field: "sex"), [])
    }

    func testRegionDirectory() {
        XCTAssertEqual(RegionDirectory.name(code: "64.71.01.1001"), "Manggar")
        XCTAssertEqual(RegionDirectory.name(code: "64.74"), "Kota Bontang")
        XCTAssertEqual(RegionDirectory.name(code: "64"), "Kalimantan Timur")
        XCTAssertNil(RegionDirectory.name(code: "64.71.05.1001"))   // a real gap
        XCTAssertEqual(RegionDirectory.regions(named: "Gunungsari Ulu").map(\.code), ["64.71.04.1001"])
        XCTAssertEqual(RegionDirectory.regions(named: "KELURAHAN API API").map(\.code), ["64.74.01.1006"])
        XCTAssertEqual(RegionDirectory.regions(named: "Balikpapan", level: .city).map(\.code), ["64.71"])
        XCTAssertEqual(RegionDirectory.regions(named: "Kec. Bontang Utara").map(\.code), ["64.74.01"])
        XCTAssertEqual(RegionDirectory.regions(named: "Kotabaru"), [], "a glued 'kota' is part of the name")
        XCTAssertEqual(RegionDirectory.regions(named: "Damai", within: "64.71.06").map(\.code), ["64.71.06.1005"])
        XCTAssertEqual(RegionDirectory.dottedCode(province: "64", city: "71", district: "01", village: "1001"), "64.71.01.1001")
        XCTAssertNil(RegionDirectory.dottedCode(province: "64", city: "7"))
        XCTAssertEqual(Region.level(of: "64.71.01"), .district)
        XCTAssertTrue(RegionDirectory.isKnownProvince(code: 64))
        XCTAssertFalse(RegionDirectory.isKnownProvince(code: 37))
        let villages = RegionDirectory.all.filter { $0.level == .village }
        XCTAssertEqual(villages.count, 4 + 6 + 6 + 6 + 7 + 5 + 6 + 6 + 3)
    }
}
