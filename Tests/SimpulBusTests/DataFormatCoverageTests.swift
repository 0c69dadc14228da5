import Foundation
import SimpulLog
import SimpulTestSupport
import XCTest

@testable import SimpulBus

/// Goal (issue 7, upgrades): every file the bus keeps in its data directory (topics, the
/// idempotency and quarantine journals, token hashes, the pseudonym key) is covered by a
/// format version, and a bus refuses a data directory of a newer Simpul before it reads or
/// writes any of them.
final class DataFormatCoverageTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var data: String { directory.path + "/data" }
    private let publisher = Principal(id: "tok_1", kind: .publisher, name: "siak", sources: ["population"], topics: [], redact: [])

    override func setUpWithError() throws { directory = try TemporaryDirectory("bus-format") }
    override func tearDown() { directory.remove() }

    private func openBus() throws -> Bus {
        var settings = BusSettings(dataDirectory: data, adaptersDirectory: RepositoryPaths.adapters)
        settings.log.freeBytesFloor = 0
        return try Bus.open(settings)
    }

    /// A bus that published valid and invalid records, with one token and a remembered key.
    private func populate() async throws {
        let bus = try openBus()
        _ = try bus.tokens.create(kind: .admin, name: "admin")
        for (file, key) in [("valid.csv", "export-1"), ("invalid.csv", nil)] {
            _ = try await bus.publish(PublishRequest(source: "population", body: try RepositoryPaths.sample("population", file),
                                                     fileName: file, idempotencyKey: key, publisher: publisher))
        }
        await bus.close()
    }

    func testEveryFileTheBusWritesIsVersioned() async throws {
        try await populate()
        let coveredByMarker: Set<String> = ["FORMAT", "topic.meta", "tokens.json", "pseudonym.key"]
        var seen: Set<String> = []
        for relative in try FileManager.default.subpathsOfDirectory(atPath: data) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let name = URL(fileURLWithPath: relative).lastPathComponent
            seen.insert(relative.components(separatedBy: "/").prefix(2).joined(separator: "/"))
            if coveredByMarker.contains(name) { continue }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: data + "/" + relative)))
            let magic = Array("SIMPUL".utf8) + [0, 0]
            XCTAssertEqual(Array(bytes.prefix(8)), magic, "\(relative) has no header: give it one or list it under DATA/FORMAT")
            XCTAssertEqual(bytes.count >= 10 ? UInt16(bytes[8]) | UInt16(bytes[9]) << 8 : 0, 1, "\(relative) version")
        }
        for expected in ["FORMAT", "tokens.json", "pseudonym.key", "journals/idempotency", "journals/quarantine",
                         "journals/quarantine-payloads", "topics/city.population.person"] {
            XCTAssertTrue(seen.contains(expected), "the populated directory has no \(expected): \(seen.sorted())")
        }
    }

    func testBusRefusesANewerDataDirectoryWithoutTouchingIt() async throws {
        try await populate()
        try "simpul-data 2\n".write(toFile: data + "/FORMAT", atomically: true, encoding: .utf8)
        let tokens = try Data(contentsOf: URL(fileURLWithPath: data + "/tokens.json"))
        let key = try Data(contentsOf: URL(fileURLWithPath: data + "/pseudonym.key"))
        XCTAssertThrowsError(try openBus()) { error in
            XCTAssertTrue("\(error)".contains("this data directory was written by a newer Simpul (data format 2"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: data + "/tokens.json")), tokens)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: data + "/pseudonym.key")), key)
    }
}
