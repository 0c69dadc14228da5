import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// RELIABILITY D5 through the engine and the real sender: a receiver that stalls, or
/// streams a huge body, costs its own subscription its timeout and nothing more — the
/// per-attempt timeout holds within ±10 %, the body read is capped, memory stays flat, and
/// another subscription's delivery latency stays within twice its baseline.
final class DeliverySlowReceiverTests: XCTestCase {
    private var fixture: DeliveryFixture!
    private var sender: CurlMultiSender!

    override func setUpWithError() throws {
        fixture = try DeliveryFixture()
        sender = try CurlMultiSender()
    }

    override func tearDown() {
        sender.shutdown()
        fixture.directory.remove()
    }

    private func openBus() async throws -> Bus {
        var settings = BusSettings(dataDirectory: fixture.directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
        settings.log.freeBytesFloor = 0
        let bus = try Bus.open(settings)
        try bus.log.createTopic(try TopicName(DeliveryFixture.topic))
        _ = try await bus.startDelivery(sender: sender, settings: DeliveryFixture.fastSettings)
        return bus
    }

    /// p99 of publish-to-arrival at `sink` for `count` events published one by one.
    private func latencyP99(_ bus: Bus, _ sink: DeliverySink, count: Int) async throws -> Double {
        var published: [String: ContinuousClock.Instant] = [:]
        for _ in 0..<count {
            let start = ContinuousClock.now
            let id = try await DeliveryFixture.publish(bus, count: 1)[0]
            published[id] = start
            try await Task.sleep(for: .milliseconds(5))
        }
        let arrived = await sink.waitUntil(timeout: .seconds(20)) { sink in published.keys.allSatisfy { sink.firstArrivals[$0] != nil } }
        let state = await bus.delivery?.state("healthy").jsonText ?? ""
        XCTAssertTrue(arrived, "the healthy receiver got every event: \(sink.firstArrivals.count) of \(count), \(sink.requestCount) requests, "
                      + state)
        let arrivals = sink.firstArrivals
        guard !arrivals.isEmpty else { return .infinity }
        let latencies = published.compactMap { id, start in arrivals[id].map { Double(($0 - start).components.attoseconds) / 1e15 + Double(($0 - start).components.seconds) * 1000 } }.sorted()
        return latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
    }

    func testAStalledReceiverDoesNotSlowAnother() async throws {
        let healthy = try DeliverySink()
        let stalled = try DeliverySink()
        defer { healthy.shutdown(); stalled.shutdown() }
        let bus = try await openBus()
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("healthy", extra: [("url", .string(healthy.url(path: "/h")))]))
        _ = try await engine.create(DeliveryFixture.subscription("stalled", delaysMs: [0, 10, 10], extra: [
            ("url", .string(stalled.url(path: "/s"))), ("timeoutMs", .int(500)), ("maxInFlight", .int(16)),
        ]))
        let baseline = try await latencyP99(bus, healthy, count: 100)
        try stalled.setMode(.hang)
        let underStall = try await latencyP99(bus, healthy, count: 100)
        // Head-of-line blocking would add the stall's 500 ms timeout; the 150 ms floor only
        // absorbs the noise of a shared 2-core machine (bench/ measures the figure itself).
        XCTAssertLessThan(underStall, max(2 * baseline, baseline + 150),
                          "p99 \(underStall) ms with a stalled neighbour vs \(baseline) ms baseline")

        // Each hung attempt ends at its timeout, within ±10 %.
        let dead = await waitForDeadLetters(engine, subscription: "stalled", atLeast: 1)
        XCTAssertTrue(dead)
        let entry = try XCTUnwrap(engine.deadLetters(DeadLetterFilter(subscription: "stalled"), after: nil, limit: 1).entries.first)
        for attempt in try await engine.deadLetter(entry.id).attempts {
            XCTAssertTrue((450...550).contains(attempt.durationMs), "attempt took \(attempt.durationMs) ms for a 500 ms timeout")
            XCTAssertNil(attempt.status)
        }
        await bus.close()
    }

    func testAHugeResponseIsCappedAndMemoryStaysFlat() async throws {
        let huge = try DeliverySink()
        defer { huge.shutdown() }
        try huge.setMode(.hugeBody(status: 200, bytes: 1 << 30))
        let bus = try await openBus()
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("huge", extra: [("url", .string(huge.url(path: "/big")))]))
        let before = Self.residentBytes()
        try await DeliveryFixture.publish(bus, count: 20)
        let delivered = await waitUntil { await engine.state("huge")["delivered"]?.intValue == 20 }
        let state = await engine.state("huge")
        let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).entries.first
        XCTAssertTrue(delivered, "a 200 whose body is cut at the cap is still a success: \(state.jsonText) \(dead?.lastError ?? "") \(dead?.lastStatus ?? 0)")
        let growth = Self.residentBytes() - before
        XCTAssertLessThan(growth, 20 << 20, "RSS grew \(growth >> 20) MiB for 20 responses of 1 GiB")
        await bus.close()
    }

    private func waitForDeadLetters(_ engine: DeliveryEngine, subscription: String, atLeast count: Int) async -> Bool {
        await waitUntil { engine.deadLetters(DeadLetterFilter(subscription: subscription), after: nil, limit: 1).total >= count }
    }

    private func waitUntil(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// The process's resident set, from /proc/self/statm.
    static func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
