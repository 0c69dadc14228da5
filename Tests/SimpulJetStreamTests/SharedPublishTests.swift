import Foundation
import SimpulAPI
@testable import SimpulBus
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (issue 8, stateless nodes): the publish side holds no node state. Two nodes (two
/// buses with their own data directories) on one NATS server: an Idempotency-Key or event
/// id published through node A and then node B is one event, and B gives the duplicate
/// answer; the same key or id with other data is refused with the same 409 on B as on A.
/// A record quarantined through one node is listed, shown and retried through the other.
final class SharedPublishTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let publisher = Principal(id: "tok_1", kind: .publisher, name: "siak-export",
                                      sources: ["population", "siperietnik"], topics: [], redact: [])

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("shared-publish")
    }

    override func tearDown() { directory?.remove() }

    private func openNode(_ name: String, nats: String, adapters: String = RepositoryPaths.adapters) async throws -> Bus {
        let file = directory.path + "/\(name).json"
        let config: [String: Any] = [
            "dataDir": directory.path + "/\(name)", "adaptersDir": adapters,
            "log": ["backend": "jetstream", "servers": [nats], "replicas": 1, "acceptDataLossRisk": true,
                    "requestTimeoutMs": 2000, "freeBytesFloor": 0],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
        return try await ServeConfiguration.load(file: file).openBus()
    }

    private func publish(_ bus: Bus, _ source: String, _ file: String, key: String? = nil,
                         edit: (String) -> String = { $0 }) async throws -> PublishResult {
        let body = Array(edit(String(decoding: try RepositoryPaths.sample(source, file), as: UTF8.self)).utf8)
        return try await bus.publish(PublishRequest(source: source, body: body, fileName: file, idempotencyKey: key,
                                                    publisher: publisher))
    }

    private func storedCount(_ bus: Bus, topic: String) async throws -> Int64 {
        let topics = try await bus.store.topics()
        return topics.first { $0.name.value == topic }?.partitions.reduce(0) { $0 + $1.endOffset - $1.startOffset } ?? 0
    }

    func testTheSameKeyThroughTwoNodesIsOneEventAndAConflictIsRefusedOnBoth() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let nodeA = try await openNode("a", nats: nats.url)
        let nodeB = try await openNode("b", nats: nats.url)

        // One record with an Idempotency-Key (it becomes the event id).
        let first = try await publish(nodeA, "siperietnik", "valid-single.json", key: "req-42")
        XCTAssertEqual(first.status, 202, first.json.jsonText)
        guard case .published(_, "req-42", let topic, let partition, let offset, false)? = first.records.first else {
            return XCTFail("\(first)")
        }
        let again = try await publish(nodeB, "siperietnik", "valid-single.json", key: "req-42")
        XCTAssertEqual(again.status, 200, "node B knows node A's event: \(again.json.jsonText)")
        guard case .published(_, "req-42", topic, partition, offset, true)? = again.records.first else {
            return XCTFail("the duplicate answer names node A's copy: \(again)")
        }
        // The same key (and so event id) with other data, as one record or as a batch.
        let renamed: (String) -> String = { $0.replacingOccurrences(of: "BUDI SANTOSO", with: "BUDI SANTOSA") }
        for (node, file, edit) in [(nodeB, "valid-single.json", renamed), (nodeB, "valid.json", { $0 }),
                                   (nodeA, "valid-single.json", renamed)] {
            do {
                let result = try await publish(node, "siperietnik", file, key: "req-42", edit: edit)
                XCTFail("the same key with another body must be refused on every node: \(result.json.jsonText)")
            } catch BusError.idempotencyConflict(let key) {
                XCTAssertEqual(key, "req-42")
            }
        }
        let stored = try await storedCount(nodeA, topic: topic)
        XCTAssertEqual(stored, 1, "stored once")

        // A batch with an Idempotency-Key: node B replays node A's answer.
        let batch = try await publish(nodeA, "population", "valid.csv", key: "batch-7")
        XCTAssertEqual(batch.status, 202, batch.json.jsonText)
        let replayed = try await publish(nodeB, "population", "valid.csv", key: "batch-7")
        XCTAssertEqual(replayed.status, 200, replayed.json.jsonText)
        XCTAssertEqual(replayed.duplicates, batch.published)
        guard case .published(_, _, let batchTopic, _, _, _)? = batch.records.first else { return XCTFail("\(batch)") }
        let storedBatch = try await storedCount(nodeB, topic: batchTopic)
        XCTAssertEqual(storedBatch, Int64(batch.published))

        await nodeA.close()
        await nodeB.close()
    }

    /// A record quarantined on node A is listed and shown on node B; node B (whose adapter
    /// knows the value now) retries it into an event, and node A sees it resolved.
    func testQuarantineOnOneNodeIsListedAndRetriedOnTheOther() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let fixedAdapters = directory.path + "/adapters-b"
        try FileManager.default.copyItem(atPath: RepositoryPaths.adapters, toPath: fixedAdapters)
        let adapterFile = fixedAdapters + "/population/adapter.json"
        let fixed = try String(contentsOfFile: adapterFile, encoding: .utf8)
            .replacingOccurrences(of: "\"KAWIN\": \"married\"", with: "\"KAWIN\": \"married\", \"KAWIN TERCATAT\": \"married\"")
        try fixed.write(toFile: adapterFile, atomically: true, encoding: .utf8)
        let nodeA = try await openNode("a", nats: nats.url)
        let nodeB = try await openNode("b", nats: nats.url, adapters: fixedAdapters)

        let header = "NIK;NO_KK;NAMA_LENGKAP;TMPT_LHR;TGL_LHR;JENIS_KLMIN;AGAMA;STATUS_KAWIN;JENIS_PKRJN;ALAMAT;NO_RT;NO_RW;"
            + "NO_KEL;KEL_NAME;NO_KEC;KEC_NAME;NO_KAB;KAB_NAME;NO_PROP;PROP_NAME"
        let row = "6471015203900001;6471010101200001;SITI AMINAH;BALIKPAPAN;12-03-1990;PEREMPUAN;ISLAM;KAWIN TERCATAT;"
            + "PEDAGANG;JL. MULAWARMAN NO. 12;005;002;1001;MANGGAR;01;BALIKPAPAN TIMUR;71;KOTA BALIKPAPAN;64;KALIMANTAN TIMUR"
        let body = Array((header + "\n" + row + "\n").utf8)
        let refused = try await nodeA.publish(PublishRequest(source: "population", body: body, contentType: "text/csv",
                                                             publisher: publisher))
        guard case .rejected(1, _, let id, _)? = refused.records.first else { return XCTFail(refused.json.jsonText) }

        let listed = try await waitUntil { nodeB.quarantine.list(status: .open).map(\.id) == [id] }
        XCTAssertTrue(listed, "node B lists node A's entry: \(nodeB.quarantine.list().map(\.id))")
        let entry = try XCTUnwrap(nodeB.quarantine.entry(id))
        let payload = try await nodeB.quarantine.payload(of: entry)
        XCTAssertEqual(payload, body, "node B reads the raw payload node A kept")
        XCTAssertEqual(nodeB.quarantine.openCount, 1)

        let resolved = try await nodeB.retryQuarantined(id)
        XCTAssertEqual(resolved.status, .resolved)
        let eventId = try XCTUnwrap(resolved.eventId)
        let seenOnA = try await waitUntil { nodeA.quarantine.entry(id)?.status == .resolved }
        XCTAssertTrue(seenOnA, "node A sees the entry resolved by node B")
        XCTAssertEqual(nodeA.quarantine.openCount, 0)
        XCTAssertEqual(nodeA.quarantine.entry(id)?.eventId, eventId)
        // Retried again through node A: already resolved, nothing published twice.
        let again = try await nodeA.retryQuarantined(id)
        XCTAssertEqual(again.status, .resolved)
        let stored = try await storedCount(nodeA, topic: "city.population.person")
        XCTAssertEqual(stored, 1)
        // A node started later (an empty data directory) has the whole quarantine at open.
        let nodeC = try await openNode("c", nats: nats.url)
        XCTAssertEqual(nodeC.quarantine.entry(id)?.status, .resolved)
        let payloadOnC = try await nodeC.quarantine.payload(of: try XCTUnwrap(nodeC.quarantine.entry(id)))
        XCTAssertEqual(payloadOnC, body)
        for node in [nodeA, nodeB, nodeC] { await node.close() }
    }

    /// Polls `condition` every 20 ms for at most 5 s.
    private func waitUntil(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<250 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
