import Foundation
import SimpulTestSupport
import XCTest

@testable import SimpulLog

/// Goal (issue 7, upgrades): every file kind of a data directory carries a format version —
/// segments, indexes and snapshots in their header, everything else through `DATA/FORMAT`
/// — and data of a newer Simpul is refused with a message that says what to do, never
/// guessed at; a refused `DATA/FORMAT` leaves the directory untouched.
final class DataFormatVersionTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var data: String { directory.path + "/data" }

    override func setUpWithError() throws { directory = try TemporaryDirectory("format") }
    override func tearDown() { directory.remove() }

    /// A data directory with two topics (one rolled over several segments) and a journal
    /// with a snapshot and entries after it.
    private func populate() async throws {
        let log = try Log.open(directory: data, options: tinyOptions())
        let topic = try TopicName("city.population.person")
        try log.createTopic(topic)
        try log.createTopic(try TopicName("city.permit"))
        for number in 0..<200 { _ = try await log.partition(topic, 0).append(value: Array("event \(number)".utf8)) }
        let journal = try Journal.open(directory: log.journalsDirectory + "/consumer-positions", options: tinyOptions())
        try await journal.append(Array("a\t1".utf8))
        try await journal.writeSnapshot(Array("state".utf8), nextOffset: 1)
        try await journal.append(Array("b\t2".utf8))
        await journal.close()
        await log.close()
    }

    /// Every file under the directory with its content and modification time.
    private func tree() throws -> [String: String] {
        var entries: [String: String] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: data) {
            let attributes = try FileManager.default.attributesOfItem(atPath: data + "/" + relative)
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let content = (try? Data(contentsOf: URL(fileURLWithPath: data + "/" + relative)))?.base64EncodedString() ?? "dir"
            entries[relative] = "\(modified) \(content)"
        }
        return entries
    }

    /// Rewrites the header version of a segment, index or snapshot file (its CRC follows).
    private func setHeaderVersion(_ version: UInt16, of path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let header = try FileHeader.decode(bytes[...])
        var newer = header
        newer.version = version
        bytes.replaceSubrange(0..<FileHeader.bytes, with: newer.encoded())
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func assertRefusedAsNewer(_ body: () throws -> Void, mentioning expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case LogError.unsupportedFormat = error else {
                return XCTFail("expected unsupportedFormat, got \(error)", file: file, line: line)
            }
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    func testNewDirectoryGetsTheMarkerAndAnOldOneWithoutItKeepsWorking() async throws {
        try await populate()
        XCTAssertEqual(try String(contentsOfFile: data + "/FORMAT", encoding: .utf8), "simpul-data 1\n")
        try FileManager.default.removeItem(atPath: data + "/FORMAT")
        let log = try Log.open(directory: data, options: tinyOptions())
        XCTAssertEqual(try log.partition(try TopicName("city.population.person"), 0).endOffset, 200)
        await log.close()
        XCTAssertEqual(try DataDirectoryFormat.read(directory: data), 1, "a directory from before the marker gets it")
    }

    func testNewerDataFormatIsRefusedAndNothingIsTouched() async throws {
        try await populate()
        try "simpul-data 2\n".write(toFile: data + "/FORMAT", atomically: true, encoding: .utf8)
        let before = try tree()
        usleep(20_000)  // a rewrite would show in the modification times
        assertRefusedAsNewer({ _ = try Log.open(directory: data, options: tinyOptions()) },
                             mentioning: "this data directory was written by a newer Simpul (data format 2; this Simpul reads format 1); "
                                + "install that version, or restore a backup made by this one")
        assertRefusedAsNewer({ _ = try EmbeddedLogStore(directory: data, options: tinyOptions()) }, mentioning: "data format 2")
        assertRefusedAsNewer({ _ = try LogVerifier().verify(dataDirectory: data) }, mentioning: "data format 2")
        XCTAssertEqual(try tree(), before, "a refused open changed the directory")
    }

    func testMarkerThatIsNotOneIsRefused() async throws {
        try await populate()
        try "partitions 1\n".write(toFile: data + "/FORMAT", atomically: true, encoding: .utf8)
        assertRefusedAsNewer({ _ = try Log.open(directory: data) }, mentioning: "this is not Simpul's format marker")
    }

    /// Files with a header carry their own version: a newer segment (sealed or active) or
    /// snapshot is refused by name; a newer index is only a cache and is rebuilt.
    func testEveryHeaderedFileKindRefusesANewerVersion() async throws {
        try await populate()
        let partition = data + "/topics/city.population.person/0"
        let segments = try FileManager.default.contentsOfDirectory(atPath: partition).filter { $0.hasSuffix(".log") }.sorted()
        XCTAssertGreaterThanOrEqual(segments.count, 2, "the topic must have a sealed segment and an active one")
        let cases: [(kind: String, path: String, open: () throws -> Void)] = [
            ("sealed segment", partition + "/" + segments[0], { _ = try Log.open(directory: self.data, options: tinyOptions()) }),
            ("active segment", partition + "/" + (segments.last ?? ""), { _ = try Log.open(directory: self.data, options: tinyOptions()) }),
            ("journal snapshot", data + "/journals/consumer-positions/snapshot.snap",
             { _ = try Journal.open(directory: self.data + "/journals/consumer-positions", options: tinyOptions()) }),
        ]
        for testCase in cases {
            let original = try Data(contentsOf: URL(fileURLWithPath: testCase.path))
            try setHeaderVersion(2, of: testCase.path)
            assertRefusedAsNewer(testCase.open, mentioning: "on-disk format version 2 is newer than this Simpul understands")
            try original.write(to: URL(fileURLWithPath: testCase.path))
        }
        let index = partition + "/" + segments[0].replacingOccurrences(of: ".log", with: ".idx")
        try setHeaderVersion(2, of: index)
        let log = try Log.open(directory: data, options: tinyOptions())
        let topic = try log.partition(try TopicName("city.population.person"), 0)
        XCTAssertTrue(topic.recoveryReport.rebuiltIndexes.contains(segments[0]), "the newer index is rebuilt, not trusted")
        XCTAssertEqual(try topic.read(from: 0, maxRecords: 1).first?.value, Array("event 0".utf8))
        await log.close()
    }

    /// Every file a data directory holds is either versioned by its header or one of the
    /// kinds `DATA/FORMAT` covers: a new file kind must be classified here (and in
    /// docs/on-disk-format.md) before it can ship.
    func testEveryFileOfADataDirectoryIsCoveredByAVersion() async throws {
        try await populate()
        let store = try EmbeddedLogStore(directory: data, options: tinyOptions())
        try await store.commitPosition(5, consumer: "portal", topic: try TopicName("city.permit"), partition: 0)
        await store.close()
        let coveredByMarker: Set<String> = ["FORMAT", "topic.meta", "tokens.json", "pseudonym.key"]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: data) {
            let path = data + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let name = URL(fileURLWithPath: path).lastPathComponent
            if coveredByMarker.contains(name) { continue }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let header = try? FileHeader.decode(bytes[...])
            XCTAssertEqual(header?.version, 1, "\(relative) carries no version: give it a header or list it under DATA/FORMAT")
        }
    }
}
