import XCTest
@testable import SimpulMapping

/// Goal: a CloudEvent's `dataschema` names the same schema file as before the byte-level
/// cut (`split(separator: "/").last`), for odd inputs too: trailing and doubled slashes,
/// no slash, only slashes, empty, and non-ASCII text where a combining mark joins a slash.
final class SchemaPathSegmentTests: XCTestCase {
    func testTheLastSegmentIsTheOneSplittingGave() {
        let inputs = [
            "schemas/person.v1.json", "person.v1.json", "https://x.go.id/schemas/business.v1.json", "schemas/",
            "a//b/", "/", "///", "", "/a", "a/", "a\u{301}/b", "/\u{301}b/c", "schemas/\u{301}", "s/é.json", "ü/", "\r\n/x",
        ]
        for text in inputs {
            let expected = text.split(separator: "/").last.map(String.init) ?? text
            XCTAssertEqual(SchemaValidator.lastPathSegment(text), expected, "dataschema \(text.debugDescription)")
        }
    }

    func testAnEventNamingItsSchemaByPathIsCheckedAgainstIt() throws {
        let validator = try SchemaValidatorTests.validator.get()
        let event: JSONValue = .object([
            ("specversion", .string("1.0")), ("id", .string("e-1")), ("source", .string("/oss")),
            ("type", .string("city.business.business.upserted")), ("dataschema", .string("schemas//business.v1.json/")),
            ("data", .object([("nib", .string("9120001234567"))])),
        ])
        XCTAssertEqual(validator.validate(cloudEvent: event).map(\.field), ["data.name"], "name is required by business.v1.json")
    }
}
