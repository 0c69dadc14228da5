import XCTest
@testable import SimpulBus
import SimpulMapping

/// Goal: the answer body written straight to bytes is exactly the JSON tree written by
/// `JSONWriter`, for every kind of record, the refusals (422, 409) with their `error`
/// member, and strings that need escaping.
final class PublishResultTests: XCTestCase {
    func testBodyIsTheWrittenTree() {
        let issue = ValidationIssue(field: "data.nik", code: "nik.invalid", message: "a \"NIK\" has 16 digits\n\\ é \u{01}")
        let cases: [PublishResult] = [
            PublishResult(status: 202, records: [
                .published(record: 1, id: "e\"1", topic: "city.population.person", partition: 0, offset: 41, duplicate: false),
                .published(record: 2, id: "e2", topic: "city.population.person", partition: 3, offset: 7, duplicate: true),
                .rejected(record: 3, line: 4, quarantineId: "q_1", errors: [issue, issue]),
                .conflict(record: 4, id: "e4"),
            ]),
            PublishResult(status: 422, records: [.rejected(record: 0, line: 12, quarantineId: "q_2", errors: [issue])]),
            PublishResult(status: 409, records: [.conflict(record: 1, id: "ü")]),
            PublishResult(status: 200, records: []),
            PublishResult(status: 422, records: [.rejected(record: 1, line: 2, quarantineId: "q_3", errors: [])]),
        ]
        for result in cases {
            XCTAssertEqual(String(decoding: result.body, as: UTF8.self), String(decoding: JSONWriter.write(result.json), as: UTF8.self))
        }
    }
}
