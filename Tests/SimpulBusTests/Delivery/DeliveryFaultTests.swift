import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulTestSupport

/// RELIABILITY D1 (sink down, then up) and D4 (exhaust retries for many events, replay
/// them) at CI sizes, through the engine with a scripted receiver.
final class DeliveryFaultTests: XCTestCase {
    private var fixture: DeliveryFixture!

    override func setUpWithError() throws { fixture = try DeliveryFixture() }
    override func tearDown() { fixture.directory.remove() }

    /// D1: the receiver refuses connections for a while (CI: 2 s), then accepts. Nothing is
    /// lost, everything arrives within one backoff cap of recovery, every attempt of an
    /// event carries its id, and the gaps stay inside the full-jitter envelope.
    func testSinkDownThenUp() async throws {
        let downUntil = currentTimeMs() + 2_000
        let transport = ScriptedTransport { _, _ in
            currentTimeMs() < downUntil
                ? ScriptedTransport.answer(nil, error: .connectionRefused(detail: "connection refused"))
                : ScriptedTransport.answer(204)
        }
        // Long enough that full jitter cannot exhaust it inside the outage (16 draws of up to
        // 1 s summing under 2 s: probability below 1e-8).
        let delays = [0, 100, 200, 400] + Array(repeating: 1000, count: 16)
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("d1", delaysMs: delays))
        let ids = try await DeliveryFixture.publish(bus, count: 300)
        let cap = Int64(delays.max() ?? 0)
        let done = await transport.wait(timeout: .seconds(20)) { requests in
            Set(requests.filter { $0.atMs >= downUntil }.map(\.id)).isSuperset(of: ids)
        }
        let state = await engine.state("d1")
        XCTAssertTrue(done, "lost events: \(Set(transport.requests.filter { $0.atMs >= downUntil }.map(\.id)).count) of 300 after recovery, "
                      + "\(engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total) dead, \(transport.requests.count) requests, "
                      + "state \(state)")
        let requests = transport.requests
        let lastSuccess = requests.filter { $0.atMs >= downUntil }.map(\.atMs).max() ?? 0
        XCTAssertLessThanOrEqual(lastSuccess - downUntil, cap + 300, "all delivered within one backoff cap of recovery")
        for id in ids {
            let attempts = requests.filter { $0.id == id }
            XCTAssertEqual(Set(attempts.map { $0.headers["idempotency-key"] }), [id])
            for (index, pair) in zip(attempts, attempts.dropFirst()).enumerated() {
                let gap = pair.1.atMs - pair.0.atMs
                XCTAssertLessThanOrEqual(gap, Int64(delays[min(index + 1, delays.count - 1)]) + 150,
                                         "gap \(index + 1) of \(id) is outside [0, nominal]")
            }
        }
        await bus.close()
    }

    /// D4: retries run out for many events; each DLQ entry's history equals the attempts
    /// made; a replay delivers every one with the same id; a second replay replays none.
    func testExhaustedEventsReplayOnceWithTheirIds() async throws {
        let count = ProcessInfo.processInfo.environment["SIMPUL_SOAK"] == nil ? 2_000 : 10_000
        let transport = ScriptedTransport { _, _ in ScriptedTransport.answer(500) }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("d4", delaysMs: [0, 1, 1], extra: [("maxInFlight", .int(64))]))
        var ids: [String] = []
        for _ in 0..<(count / 1000) { ids += try await DeliveryFixture.publish(bus, count: 1000) }
        let allDead = await waitUntil(timeout: .seconds(60)) {
            engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total == count
        }
        XCTAssertTrue(allDead, "\(engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total) of \(count) dead-lettered")
        let page = engine.deadLetters(DeadLetterFilter(subscription: "d4"), after: nil, limit: 1000).entries
        for entry in page.prefix(200) {
            let full = try await engine.deadLetter(entry.id)
            XCTAssertEqual(full.attempts.count, transport.attempts(of: entry.eventID), "history = attempts made")
            XCTAssertEqual(full.attempts.map(\.status), [500, 500, 500])
        }

        transport.setScript { _, _ in ScriptedTransport.answer(204) }
        let before = transport.requests.count
        let report = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: "d4"), dryRun: false, force: false)
        XCTAssertEqual(report.count(.replayed), count)
        let emptied = await waitUntil(timeout: .seconds(60)) {
            engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total == 0
        }
        XCTAssertTrue(emptied)
        let replayed = transport.requests.dropFirst(before)
        XCTAssertEqual(Set(replayed.map(\.id)), Set(ids), "the same ids, none lost")
        let again = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: "d4"), dryRun: false, force: false)
        XCTAssertEqual(again.count(.replayed), 0, "running the same replay twice replays nothing the second time")
        await bus.close()
    }

    private func waitUntil(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }
}
