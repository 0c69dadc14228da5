import Foundation
import XCTest
@testable import SimpulMapping

/// Goal: every sample of the four bundled adapters maps to exactly its golden output
/// (`adapters/<name>/expected/<sample>.jsonl`), every validation code of issue 3 is
/// produced by some sample, and every emitted `data` validates against its schema with
/// Python's `jsonschema`. Regenerate goldens after an intended change with
/// `SIMPUL_UPDATE_GOLDEN=1 swift test --filter AdapterSampleTests`.
final class AdapterSampleTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let adaptersDirectory = repository.appendingPathComponent("adapters").path
    static let time = "2026-11-22T03:00:00Z"

    static let requiredCodes = [
        "nik.format", "nik.region", "nik.birthdate_mismatch", "nik.sex_mismatch", "kk.format", "rtrw.format",
        "date.invalid", "required.missing", "enum.unknown", "nik.duplicate", "nib.format", "kbli.format",
        "intensity.kdb_kdh_sum", "disposition.before_letter_date", "status.transition", "status.time_order",
        "geometry.unclosed_ring", "geometry.self_intersection", "geometry.empty", "geometry.outside_city",
    ]

    func samples() throws -> [(adapter: String, sample: URL)] {
        var result: [(String, URL)] = []
        for name in try AdapterCatalog.names(in: Self.adaptersDirectory) {
            let directory = URL(fileURLWithPath: Self.adaptersDirectory).appendingPathComponent(name).appendingPathComponent("samples")
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
                result.append((name, directory.appendingPathComponent(file)))
            }
        }
        return result
    }

    /// The registry `simpul adapters test` uses from the repository root: built-ins plus
    /// the schemas of `schemas/`.
    static let registry: Result<ValidatorRegistry, any Error> = Result {
        ValidatorRegistry.builtIn.checkingSchemas(try SchemaValidator(directory: repository.appendingPathComponent("schemas")))
    }

    static func output(adapter name: String, sample: URL) throws -> String {
        let adapter = try AdapterCatalog.load(name, in: adaptersDirectory, registry: try registry.get())
        let bytes = [UInt8](try Data(contentsOf: sample))
        let format = adapter.format(forFileName: sample.lastPathComponent, bytes: bytes)
        let input = try adapter.decode(bytes, format: format)
        var output: [UInt8] = []
        for record in adapter.map(input, options: EventOptions(time: time)) { record.writeJSONLine(into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    static func goldenURL(adapter: String, sample: URL) -> URL {
        URL(fileURLWithPath: adaptersDirectory).appendingPathComponent(adapter).appendingPathComponent("expected")
            .appendingPathComponent(sample.lastPathComponent + ".jsonl")
    }

    func testFourAdaptersWithSamples() throws {
        XCTAssertEqual(try AdapterCatalog.names(in: Self.adaptersDirectory), ["eoffice", "population", "simtaru", "siperietnik"])
        let byAdapter = Dictionary(grouping: try samples(), by: \.adapter)
        for (name, files) in byAdapter {
            XCTAssertTrue(files.contains { $0.sample.lastPathComponent.hasPrefix("valid") }, "\(name) has a valid sample")
            XCTAssertTrue(files.contains { $0.sample.lastPathComponent.hasPrefix("invalid") }, "\(name) has an invalid sample")
        }
    }

    func testSamplesMatchGoldenFiles() throws {
        let update = ProcessInfo.processInfo.environment["SIMPUL_UPDATE_GOLDEN"] == "1"
        for (adapter, sample) in try samples() {
            let actual = try Self.output(adapter: adapter, sample: sample)
            let golden = Self.goldenURL(adapter: adapter, sample: sample)
            if update { try Data(actual.utf8).write(to: golden) }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            XCTAssertEqual(actual, expected, "\(adapter)/\(sample.lastPathComponent) differs from \(golden.path)")
            let results = actual.split(separator: "\n").map { $0.contains("\"ok\":true") }
            if sample.lastPathComponent.hasPrefix("valid") {
                XCTAssertTrue(results.allSatisfy { $0 }, "every record of \(sample.lastPathComponent) is valid")
            } else {
                XCTAssertTrue(results.contains(false), "\(sample.lastPathComponent) has an invalid record")
            }
        }
    }

    func testEveryValidationCodeIsProducedBySomeSample() throws {
        var produced: Set<String> = []
        for (adapter, sample) in try samples() {
            let output = try Self.output(adapter: adapter, sample: sample)
            for line in output.split(separator: "\n") {
                guard case .array(let errors)? = try JSONReader.parse(Array(line.utf8))["errors"] else { continue }
                for error in errors { if let code = error["code"]?.stringValue { produced.insert(code) } }
            }
        }
        for code in Self.requiredCodes {
            XCTAssertTrue(produced.contains(code), "no sample produces \(code)")
        }
    }

    func testEmittedDataValidatesWithPythonJSONSchema() throws {
        guard let python = ExternalTool.find("python3") else { throw XCTSkip("python3 is not installed (make test-deps installs it)") }
        let probe = try ExternalTool.run(python, ["-c", "import jsonschema, referencing"], input: "")
        guard probe.status == 0 else { throw XCTSkip("Python jsonschema is not installed (make test-deps installs it)") }
        var files: [String] = []
        for (adapter, sample) in try samples() { files.append(Self.goldenURL(adapter: adapter, sample: sample).path) }
        let script = Self.repository.appendingPathComponent("scripts/validate-samples.py").path
        let result = try ExternalTool.run(python, [script, Self.repository.appendingPathComponent("schemas").path] + files, input: "")
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("0 schema errors"), result.stdout)
    }
}
