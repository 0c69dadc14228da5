import XCTest
@testable import SimpulMapping

/// Goal: adapter files are strict: an unknown key anywhere, an unknown transform or
/// validator, or a wrong value is refused with the file and the location; a small file
/// compiles and maps as documented (constants, concat, each, choice, requiredWhen).
final class AdapterCompilerTests: XCTestCase {
    static let base = """
        "name": "demo", "source": "/kota/demo", "formats": ["json"], "type": "city.demo.thing.upserted",
        "topic": "city.demo.thing", "schema": "schemas/thing.v1.json", "key": "id"
        """

    func compile(_ fields: String, extra: String = "") throws -> DeclarativeAdapter {
        let text = "{\(Self.base)\(extra), \"fields\": \(fields)}"
        return try AdapterCompiler.compile(Array(text.utf8), file: "adapters/demo/adapter.json", registry: .builtIn)
    }

    func assertRefused(_ fields: String, extra: String = "", location: String, fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try compile(fields, extra: extra), line: line) { error in
            guard let error = error as? AdapterFileError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(error.file, "adapters/demo/adapter.json", line: line)
            XCTAssertEqual(error.location, location, "\(error)", line: line)
            XCTAssertTrue(error.message.contains(fragment), "\(error)", line: line)
        }
    }

    func testUnknownKeysAreNamedWithFileAndLocation() {
        assertRefused(#"{"id": {"from": "a", "tranforms": ["trim"]}}"#, location: "fields.id.tranforms", fragment: "unknown key \"tranforms\"")
        assertRefused(#"{"id": "a"}"#, extra: #", "topik": "x""#, location: "topik", fragment: "unknown key \"topik\"")
        assertRefused(#"{"id": "a", "o": {"fields": {"x": {"from": "b", "extra": 1}}}}"#, location: "fields.o.fields.x.extra", fragment: "unknown key")
        assertRefused(#"{"id": "a", "l": {"each": "b", "fields": {"x": {"from": "c", "requiredWhen": {"field": "x", "equals": 1, "or": 2}}}}}"#,
                      location: "fields.l.fields.x.requiredWhen.or", fragment: "unknown key")
        assertRefused(#"{"id": {"from": "a", "transforms": [{"regex": {"pattern": "x", "flags": "i"}}]}}"#,
                      location: "fields.id.transforms[0].regex.flags", fragment: "unknown key")
    }

    /// Regression: inverted bounds reached a precondition in `CityBounds` and crashed the
    /// process that loaded the adapter; they are a located error now.
    func testInvertedOrImpossibleGeometryBoundsAreRefused() {
        for bounds in ["[117.6, -1.45, 116.7, 0.3]", "[116.7, 0.3, 117.6, -1.45]", "[116.7, -91, 117.6, 0.3]"] {
            assertRefused(#"{"id": "a", "geometry": {"geometry": {"from": "g", "crs": "EPSG:4326", "bounds": \#(bounds)}}}"#,
                          location: "fields.geometry.geometry.bounds", fragment: "each minimum below its maximum")
        }
    }

    func testUnknownNamesAndBadValues() {
        assertRefused(#"{"id": {"from": "a", "transforms": ["titlecase"]}}"#, location: "fields.id.transforms[0]", fragment: "unknown transform \"titlecase\"")
        assertRefused(#"{"id": {"from": "a", "validate": ["npwp"]}}"#, location: "fields.id.validate", fragment: "unknown field validator \"npwp\"")
        assertRefused(#"{"id": "a"}"#, extra: #", "validate": ["nothing"]"#, location: "validate", fragment: "unknown record validator")
        assertRefused(#"{"id": {"from": "a", "transforms": [{"regex": {"pattern": "("}}]}}"#, location: "fields.id.transforms[0].regex", fragment: "invalid regular expression")
        assertRefused(#"{"id": {"from": "a[x]"}}"#, location: "fields.id.from", fragment: "neither an index nor a quoted name")
        assertRefused(#"{"id": {"from": "a", "value": 1}}"#, location: "fields.id", fragment: "give one of")
        assertRefused(#"{"id": {"from": "a", "required": "yes"}}"#, location: "fields.id.required", fragment: "expected true or false")
    }

    func testMappingLanguageEndToEnd() throws {
        let adapter = try compile("""
            {"id": {"concat": ["p", "k", {"text": "x"}], "separator": "."},
             "kind": [{"if": "nik", "value": "person"}, {"if": "nib", "value": "business"}],
             "nik": {"from": "nik", "requiredWhen": {"field": "kind", "equals": "person"}},
             "tags": {"each": "tags", "item": {"transforms": ["upper"]}},
             "items": {"each": "list.item", "fields": {"n": {"from": "n", "transforms": ["number"]}, "d": {"from": "d", "transforms": ["date"], "required": true}}},
             "fixed": {"value": {"a": [1]}},
             "missing": {"from": "nope", "default": "none"},
             "root": {"from": "$root[0].p"},
             "jsonPath": {"from": "$.list.item.n"}}
            """)
        let records = try JSONRecordDecoder.decodeJSON(Array("""
            [{"p": "64", "k": "71", "nik": "1", "tags": ["a", "b"], "list": {"item": {"n": "1.234,5", "d": "12 Jan 2024"}}},
             {"p": "64", "k": "72", "nib": "2", "tags": "c", "list": {"item": [{"n": 3}, {"n": 4, "d": "1-1-2024"}]}}]
            """.utf8))
        let results = adapter.map(records, options: EventOptions(time: "2026-01-01T00:00:00Z"))
        guard case .accepted(let event) = results[0].outcome else { return XCTFail("\(results[0])") }
        XCTAssertEqual(JSONValue.object(event.data).jsonText,
                       #"{"id":"64.71.x","kind":"person","nik":"1","tags":["A","B"],"items":[{"n":1234.5,"d":"2024-01-12"}],"fixed":{"a":[1]},"missing":"none","root":"64","jsonPath":"1.234,5"}"#)
        XCTAssertEqual(event.partitionKey, "64.71.x")
        guard case .rejected(let issues) = results[1].outcome else { return XCTFail("\(results[1])") }
        XCTAssertEqual(issues, [ValidationIssue(field: "items[0].d", code: "required.missing", message: "items[0].d is required but missing or empty")])
        guard case .rejected = results[1].outcome, case .array(let items)? = records.records[1].value["list"]?["item"] else { return XCTFail() }
        XCTAssertEqual(items.count, 2)
    }

    func testIdsAreDeterministicAndIdempotencyKeyWinsForOneRecord() throws {
        let adapter = try compile(#"{"id": "a", "v": "b"}"#)
        let input = try JSONRecordDecoder.decodeJSON(Array(#"{"a": "k1", "b": "x"}"#.utf8))
        let first = adapter.map(input, options: EventOptions(time: "t1"))
        let again = adapter.map(input, options: EventOptions(time: "t2"))
        guard case .accepted(let one) = first[0].outcome, case .accepted(let two) = again[0].outcome else { return XCTFail() }
        XCTAssertEqual(one.id, two.id, "a re-sent record keeps its id; time is not part of it")
        XCTAssertEqual(one.id, CloudEvent.derivedID(source: "/kota/demo", key: "k1", dataBytes: Array(#"{"id":"k1","v":"x"}"#.utf8)))
        let keyed = adapter.map(input, options: EventOptions(time: "t", idempotencyKey: "client-key-1"))
        guard case .accepted(let three) = keyed[0].outcome else { return XCTFail() }
        XCTAssertEqual(three.id, "client-key-1")
        let changed = try JSONRecordDecoder.decodeJSON(Array(#"{"a": "k1", "b": "y"}"#.utf8))
        guard case .accepted(let four) = adapter.map(changed, options: EventOptions(time: "t"))[0].outcome else { return XCTFail() }
        XCTAssertNotEqual(four.id, one.id)
    }

    func testSchemaCheckAddsOnlyWhatTheDomainRulesDidNotSay() throws {
        let schema = #"{"$id": "thing.v1.json", "type": "object", "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}, "n": {"type": "number", "maximum": 10}}, "required": ["id"]}"#
        let registry = ValidatorRegistry.builtIn.checkingSchemas(try SchemaValidator(texts: [("thing.v1.json", schema)]))
        let text = "{\(Self.base), \"fields\": {\"id\": \"a\", \"n\": {\"from\": \"n\", \"transforms\": [\"number\"]}}}"
        let adapter = try AdapterCompiler.compile(Array(text.utf8), file: "demo.json", registry: registry)
        let input = try JSONRecordDecoder.decodeJSON(Array(#"[{"a": "12", "n": "3"}, {"a": "x1", "n": "11"}, {"a": "7", "n": "1.5"}]"#.utf8))
        let results = adapter.map(input, options: EventOptions(time: "t"))
        XCTAssertTrue(results[0].isAccepted)
        guard case .rejected(let second) = results[1].outcome, case .rejected(let third) = results[2].outcome else { return XCTFail() }
        XCTAssertEqual(second.map(\.code), ["schema.pattern", "schema.maximum"])
        XCTAssertEqual(third.map(\.code), ["number.invalid"], "no second issue for the same field")
        XCTAssertThrowsError(try AdapterCompiler.compile(Array(text.replacingOccurrences(of: "thing.v1", with: "other.v1").utf8),
                                                         file: "demo.json", registry: registry)) { error in
            XCTAssertTrue("\(error)".contains("no schema other.v1.json is loaded"), "\(error)")
        }
    }
}
