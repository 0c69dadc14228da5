import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulMapping

/// Goal: SchemaValidator loads the real `schemas/` folder, reports every keyword's code
/// with a field path (`address.rt`, `dispositions[1].date`), and refuses a schema folder
/// it cannot check faithfully (unsupported keyword, dangling `$ref`, bad JSON) with the
/// file and place named.
final class SchemaValidatorTests: XCTestCase {
    static let validator = Result { try SchemaValidator(directory: SchemaDifferentialTests.schemasDirectory) }

    func testLoadsEveryFile() throws {
        let validator = try Self.validator.get()
        for id in ["person.v1.json", "correspondence.v1.json", "permit.v1.json", "spatial-permit.v1.json", "business.v1.json",
                   "cloudevent.v1.json", "address.v1.json", "region.v1.json", "agency.v1.json", "common.v1.json"] {
            XCTAssertTrue(validator.contains(schema: id), id)
        }
    }

    func testGeneratedRecordsAreValid() throws {
        let validator = try Self.validator.get()
        var generator = CanonicalRecordGenerator(seed: 7)
        for schema in SchemaDifferentialTests.schemaIDs {
            for _ in 0..<20 {
                let record = generator.record(for: schema)
                XCTAssertEqual(validator.validate(record, schema: schema), [], "\(schema): \(TestJSONWriter.write(record))")
            }
        }
    }

    func testCodeTableOnPerson() throws {
        let validator = try Self.validator.get()
        var generator = CanonicalRecordGenerator(seed: 11)
        guard case .object(let base) = generator.person() else { return XCTFail("person is an object") }
        // (change to the valid record, expected "code@field")
        let table: [(String, (inout JSONObject) -> Void, [String])] = [
            ("missing nik", { $0["nik"] = nil }, ["required.missing@nik"]),
            ("sex enum", { $0["sex"] = .string("LAKI-LAKI") }, ["enum.unknown@sex"]),
            ("type", { $0["fullName"] = .number("42") }, ["schema.type@fullName"]),
            ("pattern", { $0["nik"] = .string("64710112029") }, ["schema.pattern@nik"]),
            ("format", { $0["birthDate"] = .string("1990-02-30") }, ["schema.format@birthDate"]),
            ("min length", { $0["fullName"] = .string("") }, ["schema.min_length@fullName"]),
            ("max length", { $0["fullName"] = .string(String(repeating: "a", count: 201)) }, ["schema.max_length@fullName"]),
            ("additional", { $0["nama"] = .string("x") }, ["schema.additional_property@nama"]),
            ("nested pattern", { $0["address"] = CanonicalRecordGenerator.object([("rt", .string("5"))]) }, ["schema.pattern@address.rt"]),
            ("region needs code or name", {
                $0["address"] = CanonicalRecordGenerator.object([("village", .object(JSONObject()))])
            }, ["required.missing@address.village"]),
        ]
        for (name, change, expected) in table {
            var record = base
            change(&record)
            let issues = validator.validate(.object(record), schema: "person.v1.json")
            XCTAssertEqual(issues.map { "\($0.code)@\($0.field)" }, expected, "\(name): \(issues.map(\.message))")
        }
    }

    func testCodeTableOnOtherEntities() throws {
        let validator = try Self.validator.get()
        let letter = CanonicalRecordGenerator.object([
            ("letterNumber", .string("1")), ("subject", .string("s")), ("date", .string("2024-01-12")),
            ("dispositions", .array([
                CanonicalRecordGenerator.object([("from", .string("a")), ("to", .string("b")), ("date", .string("2024-01-12"))]),
                CanonicalRecordGenerator.object([("from", .string("a")), ("to", .string("b")), ("date", .string("12-01-2024"))]),
            ])),
        ])
        XCTAssertEqual(validator.validate(letter, schema: "correspondence.v1.json").map { "\($0.code)@\($0.field)" },
                       ["schema.format@dispositions[1].date"])

        let parcel = CanonicalRecordGenerator.object([
            ("permitNumber", .string("K1")), ("decision", .string("approved")), ("sourceCrs", .string("EPSG:4326")),
            ("landAreaM2", .number("0")), ("kdb", .number("101")), ("kdh", .number("-1")),
            ("geometry", CanonicalRecordGenerator.object([("type", .string("Polygon")), ("coordinates", .array([]))])),
        ])
        XCTAssertEqual(validator.validate(parcel, schema: "spatial-permit.v1.json").map { "\($0.code)@\($0.field)" }, [
            "schema.exclusive_minimum@landAreaM2", "schema.maximum@kdb", "schema.minimum@kdh", "schema.min_items@geometry.coordinates",
        ])

        let business = CanonicalRecordGenerator.object([("nib", .string("1234567890123")), ("name", .string("PT")), ("kbli", .array([]))])
        XCTAssertEqual(validator.validate(business, schema: "business.v1.json").map { "\($0.code)@\($0.field)" }, ["schema.min_items@kbli"])

        let event = CanonicalRecordGenerator.object([("specversion", .string("0.3")), ("id", .string("1")), ("source", .string("/s")),
                                                     ("type", .string("t"))])
        XCTAssertEqual(validator.validate(event, schema: "cloudevent.v1.json").map { "\($0.code)@\($0.field)" }, ["schema.const@specversion"])
        XCTAssertEqual(validator.validate(.array([]), schema: "cloudevent.v1.json").map { "\($0.code)@\($0.field)" }, ["schema.type@$"])
        XCTAssertEqual(validator.validate(.null, schema: "nope.v1.json").map(\.code), ["schema.unknown"])
        XCTAssertEqual(validator.validate(event, schema: "cloudevent.v1.json", path: "event").first?.field, "event.specversion")
    }

    func testCloudEventWithData() throws {
        let validator = try Self.validator.get()
        var generator = CanonicalRecordGenerator(seed: 13)
        guard case .object(var event) = generator.cloudEvent() else { return XCTFail("event is an object") }
        XCTAssertEqual(validator.validate(cloudEvent: .object(event)), [])
        event["data"] = CanonicalRecordGenerator.object([("nik", .string("1"))])
        XCTAssertEqual(validator.validate(cloudEvent: .object(event)).map { "\($0.code)@\($0.field)" },
                       ["required.missing@data.fullName", "required.missing@data.birthDate", "required.missing@data.sex", "schema.pattern@data.nik"])
        event["dataschema"] = .string("schemas/unknown.v1.json")
        XCTAssertEqual(validator.validate(cloudEvent: .object(event)).map(\.code), ["schema.unknown"])
    }

    func testIssuedPermitNeedsNumber() throws {
        let validator = try Self.validator.get()
        let permit = CanonicalRecordGenerator.object([
            ("applicationNumber", .string("A1")), ("status", .string("issued")),
            ("applicant", CanonicalRecordGenerator.object([("kind", .string("person")), ("nik", .string("6471011202900001")),
                                                           ("name", .string("Budi"))])),
        ])
        // Two alternatives fail equally (status not in the list; permitNumber missing):
        // one summary issue naming both.
        let issues = validator.validate(permit, schema: "permit.v1.json")
        XCTAssertEqual(issues.map { "\($0.code)@\($0.field)" }, ["schema.any_of@$"])
        XCTAssertTrue(issues.first?.message.contains("permitNumber") ?? false, issues.first?.message ?? "")
    }

    func testMaxItemsInsideOneOf() throws {
        let validator = try Self.validator.get()
        let position: JSONValue = .array([.number("117"), .number("-1"), .number("0"), .number("0")])
        let ring: JSONValue = .array([position, position, position, position])
        let geometry = CanonicalRecordGenerator.object([("type", .string("Polygon")), ("coordinates", .array([ring]))])
        // The Polygon alternative is the closest, so its own issues are reported.
        XCTAssertEqual(validator.validate(geometry, schema: "geometry.v1.json").map { "\($0.code)@\($0.field)" },
                       (0..<4).map { "schema.max_items@coordinates[0][\($0)]" })
    }

    func testOneOfAndIntegerSemantics() throws {
        let validator = try SchemaValidator(texts: [("t.json", """
            {"$id": "t.json", "type": "object", "properties": {
              "n": {"type": "integer", "maximum": 3},
              "x": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
              "e": {"enum": [1, "a", {"k": [true]}]}
            }}
            """)])
        func codes(_ json: [(String, JSONValue)]) -> [String] {
            validator.validate(CanonicalRecordGenerator.object(json.map { ($0.0, Optional($0.1)) }), schema: "t.json").map(\.code)
        }
        XCTAssertEqual(codes([("n", .number("2.0"))]), [])
        XCTAssertEqual(codes([("n", .number("2.5"))]), ["schema.type"])
        XCTAssertEqual(codes([("n", .number("4"))]), ["schema.maximum"])
        XCTAssertEqual(codes([("x", .number("1.5"))]), [])
        XCTAssertEqual(codes([("x", .number("1"))]), ["schema.one_of"])
        XCTAssertEqual(codes([("e", .number("1.0"))]), [])
        XCTAssertEqual(codes([("e", .bool(true))]), ["enum.unknown"])
        XCTAssertEqual(codes([("e", CanonicalRecordGenerator.object([("k", .array([.bool(true)]))]))]), [])
    }

    /// Random byte edits of a real schema file either load or fail with a located
    /// SchemaLoadError; they never crash the reader or the compiler.
    func testMangledSchemaFilesNeverCrash() throws {
        let url = SchemaDifferentialTests.schemasDirectory.appendingPathComponent("permit.v1.json")
        let original = Array(try String(contentsOf: url, encoding: .utf8).utf8)
        var random = SeededRandom(seed: 0x5C4E_3A)
        let alphabet = Array("{}[]\":,0123456789-+.eE\\u#/$ \ntrufalsn".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        var loaded = 0
        for _ in 0..<200 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(byte, at: position)
                case 1: bytes.remove(at: position)
                default: bytes[position] = byte
                }
            }
            var files = try Self.realFiles().filter { $0.name != "permit.v1.json" }
            files.append(("permit.v1.json", String(decoding: bytes, as: UTF8.self)))
            do {
                _ = try SchemaValidator(texts: files)
                loaded += 1
            } catch {
                XCTAssertFalse(error.location.isEmpty)
            }
        }
        XCTAssertLessThan(loaded, 200, "most edits should break the file")
    }

    static func realFiles() throws -> [(name: String, text: String)] {
        let directory = SchemaDifferentialTests.schemasDirectory
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.map {
            ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8))
        }
    }

    func testLoadErrorsNameTheFileAndPlace() {
        let table: [(String, String)] = [
            (#"{"$id": "a.json", "properties": {"x": {"allOf": []}}}"#, "a.json#/properties/x/allOf"),
            (#"{"$id": "a.json", "$ref": "missing.json"}"#, "missing.json"),
            (##"{"$id": "a.json", "$ref": "#/$defs/nothing"}"##, "#/$defs/nothing"),
            (#"{"$id": "a.json", "pattern": "(["}"#, "a.json#/pattern"),
            (#"{"$id": "a.json", "type": "text"}"#, "unknown type"),
            ("{\"$id\": \"a.json\",\n \"type\": }", "line 2"),
        ]
        for (text, expected) in table {
            do {
                _ = try SchemaValidator(texts: [("a.json", text)])
                XCTFail("expected a load error for \(text)")
            } catch {
                XCTAssertTrue(error.description.contains(expected), "\(error.description) should mention \(expected)")
            }
        }
    }
}
