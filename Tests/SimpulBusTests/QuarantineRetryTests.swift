import Foundation
import XCTest
@testable import SimpulBus
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 4 points 5 and 6): a record refused because the mapping did not know a
/// value is published by a retry once the adapter is fixed, and consumers read events with
/// their field policy applied.
final class QuarantineRetryTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let publisher = Principal(id: "p", kind: .publisher, name: "siak", sources: ["population"], topics: [], redact: [])

    override func setUpWithError() throws {
        directory = try TemporaryDirectory("retry")
        try FileManager.default.copyItem(atPath: RepositoryPaths.adapters, toPath: directory.path + "/adapters")
    }

    override func tearDown() { directory.remove() }

    private func openBus() throws -> Bus {
        var settings = BusSettings(dataDirectory: directory.path + "/data", adaptersDirectory: directory.path + "/adapters")
        settings.log.freeBytesFloor = 0
        return try Bus.open(settings)
    }

    private let header = "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME"
    private let row = "6471015203900001;6471010101200001;SITI AMINAH;BALIKPAPAN;12-03-1990;PEREMPUAN;ISLAM;KAWIN TERCATAT;PEDAGANG;JL. MULAWARMAN NO. 12;005;002;1001;MANGGAR;01;BALIKPAPAN TIMUR;71;KOTA BALIKPAPAN;64;KALIMANTAN TIMUR"

    func testRetryAfterTheAdapterLearnsTheValuePublishesTheRecord() async throws {
        let bus = try openBus()
        let result = try await bus.publish(PublishRequest(source: "population", body: Array((header + "\n" + row + "\n").utf8),
                                                          contentType: "text/csv", publisher: publisher))
        guard case .rejected(1, _, let id, let errors)? = result.records.first else { return XCTFail("\(result.json.jsonText)") }
        XCTAssertEqual(errors.map(\.code), ["enum.unknown"])
        XCTAssertTrue(errors.first?.message.contains("KAWIN TERCATAT") ?? false, errors.first?.message ?? "")

        let unchanged = try await bus.retryQuarantined(id)
        XCTAssertEqual(unchanged.status, .open, "a retry with the same adapter changes nothing")

        let path = directory.path + "/adapters/population/adapter.json"
        let fixed = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "\"KAWIN\": \"married\"", with: "\"KAWIN\": \"married\", \"KAWIN TERCATAT\": \"married\"")
        try fixed.write(toFile: path, atomically: true, encoding: .utf8)
        try bus.reloadAdapters()
        let resolved = try await bus.retryQuarantined(id)
        XCTAssertEqual(resolved.status, .resolved)
        let eventId = try XCTUnwrap(resolved.eventId)
        let location = try XCTUnwrap(bus.idempotency.event(eventId))
        let stored = try bus.log.partition(try TopicName(location.topic), location.partition).read(from: location.offset, maxRecords: 1)
        XCTAssertEqual(try JSONReader.parse(stored.first?.value ?? [])["data"]?["maritalStatus"]?.stringValue, "married")
        await bus.close()
    }

    func testConsumersSeeTheirFieldPolicyAndOnlyTheirTopics() async throws {
        let bus = try openBus()
        _ = try await bus.publish(PublishRequest(source: "population", body: try RepositoryPaths.sample("population", "valid.csv"),
                                                 fileName: "valid.csv", publisher: publisher))
        let consumer = Principal(id: "c", kind: .consumer, name: "portal", sources: [], topics: ["city.population.person"],
                                 redact: ["data.nik", "data.familyCardNumber", "data.address"])
        XCTAssertTrue(bus.mayRead(consumer, topic: "city.population.person"))
        XCTAssertFalse(bus.mayRead(consumer, topic: "city.spatial.permit"))
        XCTAssertFalse(bus.mayRead(publisher, topic: "city.population.person"))
        let page = try await bus.readEvents(topic: "city.population.person", partition: 0, from: 0, limit: 10, wait: .zero,
                                            principal: consumer)
        XCTAssertFalse(page.records.isEmpty)
        let text = String(decoding: page.body, as: UTF8.self)
        XCTAssertFalse(text.contains("6471015203900001"), "a NIK reached a consumer without population rights")
        XCTAssertTrue(text.contains("\"fullName\""))
        XCTAssertTrue(text.contains("person/p_"), "the subject keeps a pseudonym in place of the NIK: \(text.prefix(300))")
        XCTAssertEqual(page.nextOffset, Int64(page.records.count))
        let admin = Principal(id: "a", kind: .admin, name: "admin", sources: [], topics: [], redact: [])
        let full = try await bus.readEvents(topic: "city.population.person", partition: 0, from: 0, limit: 10, wait: .zero,
                                            principal: admin)
        XCTAssertTrue(String(decoding: full.body, as: UTF8.self).contains("6471015203900001"))
        let empty = try await bus.readEvents(topic: "city.population.person", partition: 0, from: page.nextOffset, limit: 10,
                                             wait: .milliseconds(50), principal: admin)
        XCTAssertTrue(empty.records.isEmpty)
        await bus.close()
    }
}
