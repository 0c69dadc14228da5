import Foundation
import XCTest
@testable import SimpulMapping

/// Goal: show the validators' cost per record (printed, for the mapping's 100k records/s
/// budget) and guard against a gross regression. Debug builds are several times slower
/// than release, so the floor asserted here is deliberately low.
final class ValidationThroughputTests: XCTestCase {
    func testPersonValidationRate() throws {
        let validator = try SchemaValidator(directory: SchemaDifferentialTests.schemasDirectory)
        var generator = CanonicalRecordGenerator(seed: 5)
        let records = (0..<2_000).map { _ in generator.person() }
        let nikStart = Date()
        var issueCount = 0
        for _ in 0..<50 {
            for record in records {
                if case .string(let nik)? = record["nik"] {
                    issueCount += NIKValidator.validate(nik: nik, birthDate: record["birthDate"]?.stringValue, sex: record["sex"]?.stringValue).count
                }
            }
        }
        let nikRate = Double(records.count * 50) / Date().timeIntervalSince(nikStart)
        let start = Date()
        for record in records {
            issueCount += validator.validate(record, schema: "person.v1.json").count
            issueCount += RecordRules.validate(record, entity: .person).count
        }
        let recordRate = Double(records.count) / Date().timeIntervalSince(start)
        let schemaStart = Date()
        for record in records { issueCount += validator.validate(record, schema: "person.v1.json").count }
        let schemaRate = Double(records.count) / Date().timeIntervalSince(schemaStart)
        print("ValidationThroughputTests: schema alone \(Int(schemaRate)) person records/s")
        XCTAssertEqual(issueCount, 0)
        print("ValidationThroughputTests: NIK checks \(Int(nikRate))/s, schema + rules \(Int(recordRate)) person records/s (this build)")
        XCTAssertGreaterThan(nikRate, 100_000)
        XCTAssertGreaterThan(recordRate, 2_000)
    }
}
