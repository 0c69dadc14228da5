import XCTest
@testable import SimpulMapping

/// Goal: `RecordRules.validate` runs every cross-field rule of each canonical entity with
/// canonical field paths, passes generated valid records, and flags each broken rule.
final class RecordRulesTests: XCTestCase {
    func testGeneratedRecordsPass() {
        var generator = CanonicalRecordGenerator(seed: 3)
        for entity in CanonicalEntity.allCases {
            for _ in 0..<30 {
                let record = generator.record(for: entity.schemaFile)
                XCTAssertEqual(RecordRules.validate(record, entity: entity), [], "\(entity): \(TestJSONWriter.write(record))")
            }
        }
    }

    func testBrokenRulesTable() {
        typealias O = CanonicalRecordGenerator
        let table: [(CanonicalEntity, JSONValue, [String])] = [
            (.person, O.object([("nik", .string("6471015202900001")), ("birthDate", .string("1990-02-12")), ("sex", .string("male")),
                                ("familyCardNumber", .string("123")),
                                ("address", O.object([("rt", .string("00a")), ("rw", .string("0001"))]))]),
             ["nik.sex_mismatch@nik", "kk.format@familyCardNumber", "rtrw.format@address.rt", "rtrw.format@address.rw"]),
            (.person, O.object([("nik", .string("6471011202900001")), ("birthDate", .string("1990-02-30")), ("sex", .string("male"))]),
             ["date.invalid@birthDate"]),
            (.correspondence, O.object([("date", .string("2024-01-12")), ("dispositions", .array([
                O.object([("date", .string("2024-01-12"))]), O.object([("date", .string("2024-01-10T09:00:00+08:00"))]),
            ]))]), ["disposition.before_letter_date@dispositions[1].date"]),
            (.permit, O.object([
                ("applicant", O.object([("kind", .string("business")), ("nib", .string("12345"))])),
                ("business", O.object([("nib", .string("1234567890123")), ("kbli", .array([O.object([("code", .string("4711"))])]))])),
                ("status", .string("issued")),
                ("statusHistory", .array([
                    O.object([("status", .string("submitted")), ("at", .string("2024-01-10T09:00:00+08:00"))]),
                    O.object([("status", .string("issued")), ("at", .string("2024-01-09T09:00:00+08:00"))]),
                ])),
                ("validUntil", .string("2025-02-29")),
            ]), ["date.invalid@validUntil", "nib.format@applicant.nib", "kbli.format@business.kbli[0].code",
                 "required.missing@permitNumber", "status.transition@statusHistory[1].status", "status.time_order@statusHistory[1].at"]),
            (.spatialPermit, O.object([("kbli", .string("681")), ("kdb", .number("70")), ("kdh", .number("40")),
                                       ("applicant", O.object([("nik", .string("0071011202900001"))]))]),
             ["nik.region@applicant.nik", "kbli.format@kbli", "intensity.kdb_kdh_sum@kdh"]),
            (.business, O.object([("nib", .string("x")), ("kbli", .array([O.object([("code", .string("47111"))])]))]), ["nib.format@nib"]),
        ]
        for (entity, record, expected) in table {
            let issues = RecordRules.validate(record, entity: entity)
            XCTAssertEqual(issues.map { "\($0.code)@\($0.field)" }, expected, "\(entity): \(issues.map(\.message))")
        }
    }

    func testSchemaFiles() {
        XCTAssertEqual(CanonicalEntity.spatialPermit.schemaFile, "spatial-permit.v1.json")
        XCTAssertEqual(CanonicalEntity(rawValue: "person"), .person)
    }
}
