import Foundation
import XCTest
@testable import SimpulBus
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 4 points 3–5, RELIABILITY S3): a publish appends each valid record once,
/// durably, answers per record, keeps every refused record in quarantine with its reasons,
/// and never appends the same event twice — not on a re-sent file, not on a repeated
/// Idempotency-Key, not across a restart, not under 100 concurrent duplicates.
final class PublishTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let publisher = Principal(id: "tok_1", kind: .publisher, name: "siak-export", sources: ["population"],
                                      topics: [], redact: [])

    override func setUpWithError() throws { directory = try TemporaryDirectory("bus") }
    override func tearDown() { directory.remove() }

    private func openBus() throws -> Bus {
        var settings = BusSettings(dataDirectory: directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
        settings.log.freeBytesFloor = 0
        return try Bus.open(settings)
    }

    private func publish(_ bus: Bus, _ source: String, _ file: String, key: String? = nil, body: [UInt8]? = nil) async throws -> PublishResult {
        let bytes = try body ?? RepositoryPaths.sample(source, file)
        return try await bus.publish(PublishRequest(source: source, body: bytes, fileName: file, idempotencyKey: key,
                                                    publisher: publisher))
    }

    func testValidSamplesOfEveryAdapterAreAppendedAndReadable() async throws {
        let bus = try openBus()
        for (source, file) in [("population", "valid.csv"), ("population", "valid.json"), ("eoffice", "valid-list.xml"),
                               ("eoffice", "valid.json"), ("simtaru", "valid-utm50s.geojson"), ("simtaru", "valid-wkt.json"),
                               ("siperietnik", "valid.json")] {
            let result = try await publish(bus, source, file)
            XCTAssertEqual(result.status, result.duplicates == result.records.count ? 200 : 202, "\(source)/\(file): \(result.json.jsonText)")
            XCTAssertEqual(result.rejected, 0, "\(source)/\(file): \(result.json.jsonText)")
            for case .published(_, let id, let topic, let partition, let offset, _) in result.records {
                let records = try bus.log.partition(try TopicName(topic), partition).read(from: offset, maxRecords: 1)
                XCTAssertEqual(records.first.map { String(decoding: $0.key, as: UTF8.self) }, id)
                let event = try JSONReader.parse(records.first?.value ?? [])
                XCTAssertEqual(event["id"]?.stringValue, id)
                XCTAssertEqual(event["specversion"]?.stringValue, "1.0")
            }
        }
        await bus.close()
    }

    func testInvalidRecordsGoToQuarantineWithTheirCodes() async throws {
        let bus = try openBus()
        let result = try await publish(bus, "population", "invalid.csv")
        XCTAssertGreaterThan(result.rejected, 0)
        XCTAssertEqual(result.status, result.published > 0 ? 202 : 422, "a batch answers per record")
        for case .rejected(let record, _, let quarantineId, let errors) in result.records {
            let entry = try XCTUnwrap(bus.quarantine.entry(quarantineId))
            XCTAssertEqual(entry.record, record)
            XCTAssertEqual(entry.errors, errors)
            XCTAssertEqual(entry.source, "population")
            XCTAssertEqual(entry.publisher, "siak-export")
            let payload = try await bus.quarantine.payload(of: entry)
            XCTAssertEqual(payload, try RepositoryPaths.sample("population", "invalid.csv"))
        }
        let codes = Set(result.records.flatMap { record -> [String] in
            if case .rejected(_, _, _, let errors) = record { return errors.map(\.code) }
            return []
        })
        XCTAssertTrue(codes.contains("nik.format") || codes.contains("nik.birthdate_mismatch"), "\(codes)")
        await bus.close()
        let reopened = try openBus()
        XCTAssertEqual(reopened.quarantine.list().count, result.rejected, "quarantine survives a restart")
        await reopened.close()
    }

    func testUnreadablePayloadIsQuarantinedWhole() async throws {
        let bus = try openBus()
        let result = try await publish(bus, "population", "broken.json", body: Array("[{\"NIK\": ".utf8))
        XCTAssertEqual(result.status, 422)
        guard case .rejected(0, _, let id, let errors)? = result.records.first else { return XCTFail("\(result)") }
        XCTAssertEqual(errors.first?.code, "decode.invalid")
        let payload = try await bus.quarantine.payload(of: try XCTUnwrap(bus.quarantine.entry(id)))
        XCTAssertEqual(payload, Array("[{\"NIK\": ".utf8))
        await bus.close()
    }

    func testResentFileAppendsNothingEvenAfterARestart() async throws {
        var bus = try openBus()
        let first = try await publish(bus, "population", "valid.csv")
        XCTAssertEqual(first.status, 202)
        let again = try await publish(bus, "population", "valid.csv")
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.published, 0)
        XCTAssertEqual(again.duplicates, first.published)
        await bus.close()
        bus = try openBus()
        let afterRestart = try await publish(bus, "population", "valid.csv")
        XCTAssertEqual(afterRestart.status, 200)
        XCTAssertEqual(try bus.log.partition(try TopicName(topicOf(first)), 0).endOffset, Int64(first.published))
        await bus.close()
    }

    func testIdempotencyKeyRepeatAndConflict() async throws {
        let bus = try openBus()
        let first = try await publish(bus, "siperietnik", "valid-single.json", key: "req-42")
        XCTAssertEqual(first.status, 202)
        guard case .published(_, let id, _, _, let offset, false)? = first.records.first else { return XCTFail("\(first)") }
        XCTAssertEqual(id, "req-42", "a one-record publish takes the Idempotency-Key as its event id")
        let repeated = try await publish(bus, "siperietnik", "valid-single.json", key: "req-42")
        XCTAssertEqual(repeated.status, 200)
        guard case .published(_, id, _, _, offset, true)? = repeated.records.first else { return XCTFail("\(repeated)") }
        do {
            _ = try await publish(bus, "siperietnik", "valid.json", key: "req-42")
            XCTFail("the same key with another body must be refused")
        } catch BusError.idempotencyConflict(let key) {
            XCTAssertEqual(key, "req-42")
            XCTAssertTrue(BusError.idempotencyConflict(key: key).description.contains("different body"))
        }
        await bus.close()
    }

    /// S3: 100 concurrent duplicate POSTs produce exactly one log record.
    func testHundredConcurrentDuplicatesAppendOnce() async throws {
        let bus = try openBus()
        let body = try RepositoryPaths.sample("siperietnik", "valid-single.json")
        let publisher = self.publisher
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await bus.publish(PublishRequest(source: "siperietnik", body: body, idempotencyKey: "dup-1",
                                                         publisher: publisher)).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses.filter { $0 == 202 }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 99)
        let topic = try XCTUnwrap(bus.adapter(named: "siperietnik")?.descriptor.topic)
        XCTAssertEqual(try bus.log.partition(try TopicName(topic), 0).endOffset, 1)
        await bus.close()
    }

    func testUnknownSourceAndWrongContentTypeAreRefused() async throws {
        let bus = try openBus()
        do {
            _ = try await bus.publish(PublishRequest(source: "nope", body: [], publisher: publisher))
            XCTFail("unknown source accepted")
        } catch BusError.unknownSource("nope") {}
        do {
            _ = try await bus.publish(PublishRequest(source: "population", body: [1, 2], contentType: "image/png",
                                                     publisher: publisher))
            XCTFail("wrong content type accepted")
        } catch let error as BusError {
            XCTAssertEqual(error.status, 415)
        }
        await bus.close()
    }

    private func topicOf(_ result: PublishResult) -> String {
        for case .published(_, _, let topic, _, _, _) in result.records { return topic }
        return ""
    }
}
