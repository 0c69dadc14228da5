import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 5 points 1, 3, 4; RELIABILITY D3, D6): per-key order holds while a key's
/// receiver fails and recovers, the breaker stops hammering a dead receiver and probes it,
/// and a receiver without population rights never sees a NIK.
final class DeliveryPolicyTests: XCTestCase {
    private var fixture: DeliveryFixture!

    override func setUpWithError() throws { fixture = try DeliveryFixture() }
    override func tearDown() { fixture.directory.remove() }

    func testPerKeyOrderHoldsWhileAReceiverFailsAtRandom() async throws {
        // Seeded coin per (id, attempt): about a third of attempts fail with 503.
        let transport = ScriptedTransport { request, attempt in
            let id = request.headers.first { $0.name == "webhook-id" }?.value ?? ""
            var hash: UInt64 = 1469598103934665603
            for byte in (id + "#\(attempt)").utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
            return ScriptedTransport.answer(hash % 3 == 0 ? 503 : 200)
        }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("ordered", delaysMs: [0] + Array(repeating: 2, count: 30),
                                                                 ordering: "key", extra: [("maxInFlight", .int(32))]))
        let keys = (0..<20).map { "person-\($0)" }
        var ids: [String] = []
        for _ in 0..<5 { ids += try await DeliveryFixture.publish(bus, count: 200, keys: keys) }
        let keyOf = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, keys[$0 % 200 % keys.count]) })
        let rank = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let delivered = await transport.wait(timeout: .seconds(30)) { requests in
            Set(requests.map(\.id)).count == ids.count
        }
        XCTAssertTrue(delivered)
        // Successful receipts per key, in arrival order, must follow log order.
        var lastRank: [String: Int] = [:]
        var inversions = 0
        var attemptsSeen: [String: Int] = [:]
        for request in transport.requests {
            attemptsSeen[request.id, default: 0] += 1
            guard let key = keyOf[request.id], let position = rank[request.id] else { continue }
            if let last = lastRank[key], position < last { inversions += 1 }
            lastRank[key] = max(lastRank[key] ?? -1, position)
        }
        XCTAssertEqual(inversions, 0, "received order per key equals offset order")
        XCTAssertGreaterThan(attemptsSeen.values.filter { $0 > 1 }.count, 100, "the sink really failed often")
        await bus.close()
    }

    func testBreakerOpensAfterConsecutiveFailuresAndProbesOncePerInterval() async throws {
        let transport = ScriptedTransport { _, _ in ScriptedTransport.answer(nil, error: .connectionRefused(detail: "down")) }
        var settings = DeliveryFixture.fastSettings
        settings.breaker.threshold = 5
        settings.breaker.cooldownMs = 300
        settings.breaker.cooldownMaxMs = 300
        let bus = try await fixture.openBus(transport, settings: settings)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("down", delaysMs: [0] + Array(repeating: 1, count: 90),
                                                                 extra: [("maxInFlight", .int(1))]))
        try await DeliveryFixture.publish(bus, count: 10)
        try await Task.sleep(for: .milliseconds(1_100))
        let count = transport.requests.count
        // 5 failures open it; then at most one probe per 300 ms: ≤ 5 + 4 in 1.1 s.
        XCTAssertGreaterThanOrEqual(count, 5)
        XCTAssertLessThanOrEqual(count, 9, "an open breaker sends only probes")
        let state = await engine.state("down")
        XCTAssertNotEqual(state["breaker"]?.stringValue, "closed")
        let ops = try bus.log.partition(try TopicName("simpul.ops"), 0).read(from: 0, maxRecords: 10)
        XCTAssertTrue(ops.contains { String(decoding: $0.value, as: UTF8.self).contains("simpul.ops.breakeropened") },
                      "the breaker opening is published on simpul.ops")

        transport.setScript { _, _ in ScriptedTransport.answer(200) }
        let recovered = await transport.wait(timeout: .seconds(5)) { Set($0.map(\.id)).count == 10 }
        XCTAssertTrue(recovered)
        try await Task.sleep(for: .milliseconds(100))
        let closed = await engine.state("down")
        XCTAssertEqual(closed["breaker"]?.stringValue, "closed", "a successful probe closes it")
        await bus.close()
    }

    func testAReceiverWithoutPopulationRightsNeverSeesTheNIK() async throws {
        let transport = ScriptedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        let nik = "6471015505900002"
        _ = try await engine.create(DeliveryFixture.subscription("dishub", extra: [
            ("fieldPolicy", .object([("redact", .array([.string("data.nik")]))])),
        ]))
        try await DeliveryFixture.publish(bus, count: 20, nik: nik)
        let arrived = await transport.wait { $0.count == 20 }
        XCTAssertTrue(arrived)
        for request in transport.requests {
            let text = String(decoding: request.body, as: UTF8.self)
            XCTAssertFalse(text.contains(nik), "the NIK left the bus: \(text)")
            XCTAssertTrue(text.contains("Siti"), "the rest of data is there")
        }
        await bus.close()
    }

    func testAnExpiredAgreementWithholdsSensitiveFieldsAndTellsTheAdmin() async throws {
        let transport = ScriptedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        let nik = "6471015505900003"
        _ = try await engine.create(DeliveryFixture.subscription("bappeda", extra: [
            ("fieldPolicy", .object([("agreement", .object([("number", .string("PKS/12/2024")),
                                                            ("validUntil", .string("2025-12-31"))]))])),
        ]))
        try await DeliveryFixture.publish(bus, count: 3, nik: nik)
        let arrived = await transport.wait { $0.count == 3 }
        XCTAssertTrue(arrived)
        XCTAssertFalse(transport.requests.contains { String(decoding: $0.body, as: UTF8.self).contains(nik) })
        try await Task.sleep(for: .milliseconds(100))
        let ops = try bus.log.partition(try TopicName("simpul.ops"), 0).read(from: 0, maxRecords: 10)
        XCTAssertTrue(ops.contains { String(decoding: $0.value, as: UTF8.self).contains("PKS/12/2024") })
        await bus.close()
    }

    func testAllowListSendsOnlyTheNamedFields() async throws {
        let transport = ScriptedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("stats-office", extra: [
            ("fieldPolicy", .object([("allow", .array([.string("data.fullName")]))])),
        ]))
        try await DeliveryFixture.publish(bus, count: 1, nik: "6471015505900004")
        let arrived = await transport.wait { $0.count == 1 }
        XCTAssertTrue(arrived)
        let event = try JSONReader.parse(transport.requests[0].body)
        XCTAssertEqual(event["data"], .object([("fullName", .string("Siti"))]))
        XCTAssertFalse(event["subject"]?.stringValue?.contains("6471015505900004") ?? true, "the NIK is pseudonymised in subject")
        await bus.close()
    }
}
