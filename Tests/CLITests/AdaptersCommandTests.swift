import Foundation
import XCTest

/// Goal: `simpul adapters list|test` print exactly the documented output (whole outputs
/// compared) and exit 0 (all valid), 1 (some invalid) or 2 (bad adapter file, unreadable
/// or undecodable input), with a message on stderr that says what to fix.
final class AdaptersCommandTests: XCTestCase {
    static let time = "2026-11-22T03:00:00Z"

    override func setUpWithError() throws {
        guard SimpulBinary.url != nil else {
            throw XCTSkip("the simpul executable is not beside the test bundle; run `swift build --build-tests` first")
        }
    }

    func testBinaryIsFoundBesideTheTestBundle() {
        XCTAssertEqual(SimpulBinary.url?.deletingLastPathComponent().path,
                       URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
    }

    func testListAsTextAndJSON() throws {
        let text = try SimpulBinary.run(["adapters", "list"])
        XCTAssertEqual(text, .init(status: 0, stdout: """
            NAME         FORMATS       TYPE                                   SOURCE
            eoffice      xml,json      city.correspondence.letter.registered  /balikpapan/setda/eoffice
            population   csv,json      city.population.person.upserted        /balikpapan/disdukcapil/siak
            simtaru      geojson,json  city.spatial.permit.decided            /balikpapan/dptr/simtaru
            siperietnik  json          city.licensing.permit.upserted         /balikpapan/dpmptsp/siperietnik

            """, stderr: ""))
        let json = try SimpulBinary.run(["adapters", "list", "--json", "--adapters-dir", "adapters"])
        XCTAssertEqual(json.status, 0)
        XCTAssertEqual(json.stdout.split(separator: "\n").first,
                       #"{"name":"eoffice","source":"/balikpapan/setda/eoffice","type":"city.correspondence.letter.registered","topic":"city.correspondence.letter","schema":"schemas/correspondence.v1.json","formats":["xml","json"],"key":"letterNumber"}"#)
        XCTAssertEqual(json.stdout.split(separator: "\n").count, 4)
    }

    func testJSONLinesEqualTheGoldenFilesWithTheirExitStatus() throws {
        let cases: [(String, String, Int32)] = [
            ("population", "valid.csv", 0), ("population", "invalid.csv", 1), ("population", "valid.json", 0),
            ("eoffice", "valid-list.xml", 0), ("eoffice", "invalid.xml", 1), ("simtaru", "valid-utm50s.geojson", 0),
            ("simtaru", "invalid.geojson", 1), ("siperietnik", "invalid.json", 1),
        ]
        for (adapter, sample, status) in cases {
            let result = try SimpulBinary.run(["adapters", "test", adapter, "adapters/\(adapter)/samples/\(sample)", "--json", "--time", Self.time])
            let golden = try String(contentsOf: SimpulBinary.repository.appendingPathComponent("adapters/\(adapter)/expected/\(sample).jsonl"), encoding: .utf8)
            XCTAssertEqual(result, .init(status: status, stdout: golden, stderr: ""), "\(adapter) \(sample)")
        }
    }

    func testReadableReport() throws {
        let result = try SimpulBinary.run(["adapters", "test", "siperietnik", "adapters/siperietnik/samples/invalid.json", "--time", Self.time])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            siperietnik: adapters/siperietnik/samples/invalid.json (json, 5 records)
            record 1: REFUSED  (line 2)
                applicant.nib  nib.format  NIB '91200012345' must be exactly 13 digits (as issued by OSS)
                business.nib  nib.format  NIB '91200012345' must be exactly 13 digits (as issued by OSS)
                business.kbli[0].code  kbli.format  KBLI code '4711' must be exactly 5 digits, e.g. 47111
            record 2: REFUSED  (line 49)
                permitNumber  required.missing  permitNumber is required but missing or empty
            record 3: REFUSED  (line 95)
                statusHistory[1].status  status.transition  status cannot go from submitted to issued; allowed next: verified, rejected
            record 4: REFUSED  (line 132)
                statusHistory[2].at  status.time_order  step 2 (approved) at 2024-01-11T10:30:00+08:00 is earlier than the step before it; history times must not go backwards
            record 5: REFUSED  (line 179)
                status  enum.unknown  unknown value "MENUNGGU"; allowed: DIAJUKAN, DIVERIFIKASI, DISETUJUI, DITOLAK, TERBIT, DICABUT, KEDALUWARSA
                applicant.nik  required.missing  applicant.nik is required when applicant.kind is person
            0 valid, 5 invalid

            """)
        let valid = try SimpulBinary.run(["adapters", "test", "eoffice", "adapters/eoffice/samples/valid-single.xml", "--time", Self.time])
        XCTAssertEqual(valid, .init(status: 0, stdout: """
            eoffice: adapters/eoffice/samples/valid-single.xml (xml, 1 record)
            record 1: ok       city.correspondence.letter.registered letter/500.16/123/DISKOMINFO/2024  id a951e7254fa19c4c…
            1 valid, 0 invalid

            """, stderr: ""))
    }

    func testBadAdapterFileExitsTwoNamingTheKeyAndFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("demo"), withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("demo/adapter.json")
        try Data("""
            {"name": "demo", "source": "/kota/demo", "formats": ["json"], "type": "t", "topic": "t", "schema": "s",
             "key": "id", "fields": {"id": {"from": "a", "tranforms": ["trim"]}}}
            """.utf8).write(to: file)
        let result = try SimpulBinary.run(["adapters", "test", "demo", "adapters/population/samples/valid.json", "--adapters-dir", directory.path])
        XCTAssertEqual(result, .init(status: 2, stdout: "", stderr:
            "error: \(file.path): at fields.id.tranforms: unknown key \"tranforms\"; allowed here: description, from, value, concat, separator, transforms, default, required, requiredWhen, validate, fields, each, item, geometry, if\n"))
        let list = try SimpulBinary.run(["adapters", "list", "--adapters-dir", directory.path])
        XCTAssertEqual(list.status, 2)
        XCTAssertTrue(list.stderr.contains("unknown key \"tranforms\""), list.stderr)
    }

    func testUnreadableOrUndecodableInputExitsTwo() throws {
        let missing = try SimpulBinary.run(["adapters", "test", "population", "no/such/file.csv"])
        XCTAssertEqual(missing, .init(status: 2, stdout: "", stderr: "error: cannot read no/such/file.csv; check the path and permissions\n"))
        let unknown = try SimpulBinary.run(["adapters", "test", "nope", "adapters/population/samples/valid.csv"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no adapter named \"nope\""), unknown.stderr)
        let wrongFormat = try SimpulBinary.run(["adapters", "test", "siperietnik", "adapters/population/samples/valid.csv"])
        XCTAssertEqual(wrongFormat, .init(status: 2, stdout: "", stderr:
            "error: adapters/population/samples/valid.csv looks like csv, but adapter siperietnik reads json\n"))

        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-broken-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: broken) }
        try Data("NIK;NAMA_LENGKAP\n1;\"open\n".utf8).write(to: broken)
        let undecodable = try SimpulBinary.run(["adapters", "test", "population", broken.path])
        XCTAssertEqual(undecodable, .init(status: 2, stdout: "", stderr:
            "error: \(broken.path): csv input, line 2, column 3 (record 1): a quoted field opened here is never closed (unbalanced '\"'); double a quote inside a field as \"\"\n"))
    }
}
