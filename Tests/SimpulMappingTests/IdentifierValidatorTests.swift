import XCTest
@testable import SimpulMapping

/// Goal: every identifier code (`nik.*`, `kk.format`, `nib.format`, `kbli.format`,
/// `rtrw.format`) is produced for the inputs DOMAIN.md forbids, and valid values pass.
final class IdentifierValidatorTests: XCTestCase {
    func testNIKTable() {
        // (nik, birthDate, sex, expected codes)
        let table: [(String, String?, String?, [String])] = [
            ("6471011202900001", "1990-02-12", "male", []),
            ("6471015202900001", "1990-02-12", "female", []),                 // woman: day 12 + 40
            ("6471010707070007", "2007-07-07", nil, []),
            ("647101120290000", nil, nil, ["nik.format"]),                    // 15 digits
            ("64710112029000012", nil, nil, ["nik.format"]),                  // 17 digits
            ("64710112029O0001", nil, nil, ["nik.format"]),                   // letter O
            ("６４７１０１１２０２９０００１", nil, nil, ["nik.format"]),          // full-width digits
            ("6471011202900000", nil, nil, ["nik.format"]),                   // serial 0000
            ("6471013502900001", nil, nil, ["nik.format"]),                   // day 35: neither sex
            ("6471011213900001", nil, nil, ["nik.format"]),                   // month 13
            ("9971011202900001", nil, nil, ["nik.region"]),                   // province 99
            ("2071011202900001", nil, nil, ["nik.region"]),                   // province 20
            ("9671011202900001", nil, nil, []),                                // Papua Barat Daya (2022)
            ("6471011202900001", "1990-02-13", nil, ["nik.birthdate_mismatch"]),
            ("6471011202900001", "1991-02-12", nil, ["nik.birthdate_mismatch"]),
            ("6471011202900001", "1990-03-12", nil, ["nik.birthdate_mismatch"]),
            ("6471015202900001", "1990-02-12", "male", ["nik.sex_mismatch"]),
            ("6471011202900001", "1990-02-12", "female", ["nik.sex_mismatch"]),
            ("6471015202900001", "1990-02-13", "male", ["nik.birthdate_mismatch", "nik.sex_mismatch"]),
            ("9971015202900000", nil, nil, ["nik.format", "nik.region"]),
        ]
        for (nik, birthDate, sex, expected) in table {
            let issues = NIKValidator.validate(nik: nik, birthDate: birthDate, sex: sex)
            XCTAssertEqual(issues.map(\.code), expected, "nik \(nik) birthDate \(birthDate ?? "-") sex \(sex ?? "-"): \(issues.map(\.message))")
            XCTAssertTrue(issues.allSatisfy { $0.field == "nik" && $0.message.contains(nik) })
        }
    }

    func testNIKFieldIsConfigurable() {
        XCTAssertEqual(NIKValidator.validate(nik: "1", field: "applicant.nik").first?.field, "applicant.nik")
    }

    func testDuplicateNIKInBatch() {
        var tracker = NIKDuplicateTracker()
        XCTAssertEqual(tracker.check(nik: "6471011202900001", record: 1), [])
        XCTAssertEqual(tracker.check(nik: "6471011202900002", record: 2), [])
        let repeated = tracker.check(nik: "6471011202900001", record: 3)
        XCTAssertEqual(repeated.map(\.code), ["nik.duplicate"])
        XCTAssertTrue(repeated.first?.message.contains("record 1") ?? false)
    }

    func testShortIdentifierTable() {
        // (check, value, expected code or nil)
        let table: [(String, String, String?)] = [
            ("kk", "6471010101100001", nil), ("kk", "647101010110000", "kk.format"), ("kk", "64710101011000a1", "kk.format"),
            ("nib", "1234567890123", nil), ("nib", "123456789012", "nib.format"), ("nib", "12345678901234", "nib.format"),
            ("kbli", "47111", nil), ("kbli", "4711", "kbli.format"), ("kbli", "47.11", "kbli.format"), ("kbli", "", "kbli.format"),
            ("rtrw", "005", nil), ("rtrw", "5", nil), ("rtrw", "12", nil), ("rtrw", "0005", "rtrw.format"),
            ("rtrw", "5a", "rtrw.format"), ("rtrw", "", "rtrw.format"), ("rtrw", "-1", "rtrw.format"),
        ]
        for (check, value, expected) in table {
            let issues: [ValidationIssue]
            switch check {
            case "kk": issues = IdentifierValidator.validate(familyCardNumber: value)
            case "nib": issues = IdentifierValidator.validate(nib: value)
            case "kbli": issues = IdentifierValidator.validate(kbli: value)
            default: issues = IdentifierValidator.validate(rtrw: value, field: "address.rt")
            }
            XCTAssertEqual(issues.map(\.code), expected.map { [$0] } ?? [], "\(check) '\(value)'")
        }
    }

    func testCanonicalRTRW() {
        XCTAssertEqual(IdentifierValidator.canonicalRTRW("5"), "005")
        XCTAssertEqual(IdentifierValidator.canonicalRTRW("05"), "005")
        XCTAssertEqual(IdentifierValidator.canonicalRTRW("123"), "123")
        XCTAssertNil(IdentifierValidator.canonicalRTRW("1234"))
        XCTAssertNil(IdentifierValidator.canonicalRTRW("x"))
    }
}
