import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 5 points 2, 3, 5; RELIABILITY D1, D3, D4): every event reaches the receiver
/// signed and with its id as the idempotency key, failures are retried on the schedule,
/// permanent refusals and exhausted events land in the DLQ with their full history, and a
/// replay delivers them with the same id, once.
final class DeliveryEngineTests: XCTestCase {
    private var fixture: DeliveryFixture!

    override func setUpWithError() throws { fixture = try DeliveryFixture() }
    override func tearDown() { fixture.directory.remove() }

    func testEveryEventArrivesOnceSignedWithItsIdAsTheKey() async throws {
        let transport = ScriptedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        let subscription = try await engine.create(DeliveryFixture.subscription("siak-mirror"))
        let ids = try await DeliveryFixture.publish(bus, count: 200)
        let arrived = await transport.wait { Set($0.map(\.id)).count == 200 }
        XCTAssertTrue(arrived, "delivered \(Set(transport.requests.map(\.id)).count) of 200")
        XCTAssertEqual(Set(transport.requests.map(\.id)), Set(ids))
        XCTAssertEqual(transport.requests.count, 200, "each event once")
        let verifier = try WebhookVerifier(secrets: [subscription.secret])
        for request in transport.requests {
            XCTAssertEqual(request.headers["idempotency-key"], request.id)
            XCTAssertEqual(request.headers["content-type"], "application/cloudevents+json")
            let timestamp = try XCTUnwrap(request.headers["webhook-timestamp"].flatMap { Int64($0) })
            XCTAssertNoThrow(try verifier.verify(headers: request.headers, body: request.body, now: timestamp),
                             "signature of \(request.id)")
        }
        let state = await engine.state("siak-mirror")
        XCTAssertEqual(state["delivered"]?.intValue, 200)
        await bus.close()
    }

    func testRetryableFailuresAreRetriedWithTheSameIdUntilDelivered() async throws {
        let transport = ScriptedTransport { _, attempt in ScriptedTransport.answer(attempt <= 2 ? 503 : 200) }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("retrying"))
        let ids = try await DeliveryFixture.publish(bus, count: 20)
        let done = await transport.wait { requests in ids.allSatisfy { id in requests.filter { $0.id == id }.count == 3 } }
        XCTAssertTrue(done, "every event is tried three times: two 503s, then 200")
        try await Task.sleep(for: .milliseconds(150))
        for id in ids {
            let attempts = transport.requests.filter { $0.id == id }
            XCTAssertEqual(attempts.count, 3, "no attempt after the success")
            XCTAssertEqual(Set(attempts.map { $0.headers["idempotency-key"] }), [id])
        }
        let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10)
        XCTAssertEqual(dead.total, 0)
        let journalled = await waitUntil { engine.context.attemptsWritten == 60 }
        XCTAssertTrue(journalled, "every attempt is journalled: \(engine.context.attemptsWritten) of 60")
        await bus.close()
    }

    func testRetryClassificationTable() async throws {
        // status (nil: transport error) → attempts made before the event settles with a 4-attempt policy.
        let rows: [(Int?, DeliveryError?, Int, Bool)] = [
            (200, nil, 1, false), (204, nil, 1, false), (400, nil, 1, true), (401, nil, 1, true), (404, nil, 1, true),
            (409, nil, 1, true), (422, nil, 1, true), (408, nil, 4, true), (425, nil, 4, true), (429, nil, 4, true),
            (500, nil, 4, true), (502, nil, 4, true), (503, nil, 4, true), (302, nil, 1, true),
            (nil, .timeout(milliseconds: 10), 4, true), (nil, .connectionRefused(detail: "x"), 4, true),
            (nil, .dnsFailure(host: "h", detail: "x"), 4, true),
            (nil, .blockedByPolicy(AddressRefusal(address: "127.0.0.1", reason: .loopback)), 1, true),
        ]
        for (index, row) in rows.enumerated() {
            let transport = ScriptedTransport { _, _ in ScriptedTransport.answer(row.0, error: row.1) }
            let fixture = try DeliveryFixture()
            let bus = try await fixture.openBus(transport)
            let engine = try XCTUnwrap(bus.delivery)
            _ = try await engine.create(DeliveryFixture.subscription("row\(index)", delaysMs: [0, 5, 5, 5]))
            let id = try await DeliveryFixture.publish(bus, count: 1)[0]
            let settled = await waitUntil {
                let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total
                let state = await engine.state("row\(index)")
                return dead == 1 || state["delivered"]?.intValue == 1
            }
            XCTAssertTrue(settled, "row \(index)")
            XCTAssertEqual(transport.attempts(of: id), row.2, "attempts for status \(row.0.map(String.init) ?? "\(row.1!)")")
            let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1)
            XCTAssertEqual(dead.total, row.3 ? 1 : 0, "dead-lettered for row \(index)")
            if row.3, let entry = dead.entries.first {
                let full = try await engine.deadLetter(entry.id)
                XCTAssertEqual(full.attempts.count, row.2, "the history holds every attempt")
                XCTAssertEqual(full.attempts.map(\.status), Array(repeating: row.0, count: row.2))
            }
            await bus.close()
            fixture.directory.remove()
        }
    }

    func testRetryAfterIsHonoured() async throws {
        let transport = ScriptedTransport { _, attempt in
            attempt == 1 ? ScriptedTransport.answer(429, retryAfter: "1") : ScriptedTransport.answer(200)
        }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("throttled", delaysMs: [0, 10]))
        let id = try await DeliveryFixture.publish(bus, count: 1)[0]
        let done = await transport.wait { $0.filter { $0.id == id }.count == 2 }
        XCTAssertTrue(done)
        let times = transport.requests.filter { $0.id == id }.map(\.atMs)
        let gap = times[1] - times[0]
        XCTAssertTrue((900...2000).contains(gap), "Retry-After: 1 means about one second, not the 10 ms schedule; gap \(gap) ms")
        await bus.close()
    }

    func testDeadLettersReplayWithTheSameIdOnceAndNotTwice() async throws {
        let transport = ScriptedTransport { _, _ in ScriptedTransport.answer(500) }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("flaky", delaysMs: [0, 5, 5]))
        let ids = try await DeliveryFixture.publish(bus, count: 50)
        let allDead = await waitUntil { engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total == 50 }
        XCTAssertTrue(allDead)
        let entry = try XCTUnwrap(engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).entries.first)
        XCTAssertEqual(entry.attemptCount, 3)
        XCTAssertEqual(entry.lastStatus, 500)

        transport.setScript { _, _ in ScriptedTransport.answer(200) }
        let before = transport.requests.count
        let dry = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: "flaky"), dryRun: true, force: false)
        XCTAssertEqual(dry.count(.replayed), 50)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(transport.requests.count, before, "a dry run sends nothing")
        XCTAssertEqual(engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total, 50, "a dry run changes nothing")

        let report = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: "flaky"), dryRun: false, force: false)
        XCTAssertEqual(report.count(.replayed), 50)
        let emptied = await waitUntil { engine.deadLetters(DeadLetterFilter(), after: nil, limit: 1).total == 0 }
        XCTAssertTrue(emptied, "every replayed entry was delivered and left the DLQ")
        let replayed = transport.requests.dropFirst(before)
        XCTAssertEqual(Set(replayed.map(\.id)), Set(ids), "the same ids")
        XCTAssertEqual(replayed.count, 50)

        let again = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: "flaky"), dryRun: false, force: false)
        XCTAssertEqual(again.count(.replayed), 0, "a second replay replays nothing")
        let byID = try await engine.replay(ids: [entry.id], filter: nil, dryRun: false, force: false)
        XCTAssertEqual(byID.count(.skipped), 1)
        let forced = try await engine.replay(ids: [entry.id], filter: nil, dryRun: false, force: true)
        XCTAssertEqual(forced.count(.replayed), 1, "force replays a delivered entry again")
        await bus.close()
    }

    func testPendingRetriesAndCursorsSurviveARestart() async throws {
        // Attempt 1: 503 (retried within 50 ms); attempt 2: 429 with Retry-After one hour, so
        // the third attempt is exactly an hour away (full jitter would make it anywhere below).
        let transport = ScriptedTransport { _, attempt in
            attempt == 1 ? ScriptedTransport.answer(503) : ScriptedTransport.answer(429, retryAfter: "3600")
        }
        var bus = try await fixture.openBus(transport)
        _ = try await XCTUnwrap(bus.delivery).create(DeliveryFixture.subscription("durable", delaysMs: [0, 50, 60_000]))
        let ids = try await DeliveryFixture.publish(bus, count: 30)
        let retried = await transport.wait { requests in ids.allSatisfy { id in requests.filter { $0.id == id }.count == 2 } }
        XCTAssertTrue(retried, "two attempts each; the third is an hour away: "
                      + "\(Dictionary(grouping: transport.requests, by: \.id).mapValues(\.count).filter { $0.value != 2 })")
        // Sent is not yet settled: wait until both failures of every event were recorded.
        let engine = try XCTUnwrap(bus.delivery)
        let recorded = await waitUntil { await engine.state("durable")["retried"]?.intValue == 60 }
        XCTAssertTrue(recorded)
        await bus.close()

        let healthy = ScriptedTransport()
        bus = try await fixture.openBus(healthy, settings: DeliveryFixture.fastSettings)
        // The third attempt is due in an hour: nothing is sent now, and nothing is re-read.
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(healthy.requests.count, 0, "pending events wait for their schedule; delivered cursor holds")
        let state = try await XCTUnwrap(bus.delivery).state("durable")
        XCTAssertEqual(state["lag"]?.intValue, 30, "the 30 pending events count as lag")
        let more = try await DeliveryFixture.publish(bus, count: 5)
        let fresh = await healthy.wait { Set($0.map(\.id)).isSuperset(of: more) }
        let after = try await XCTUnwrap(bus.delivery).state("durable")
        XCTAssertTrue(fresh, "new events flow past the waiting ones: \(healthy.requests.count) requests, \(after.jsonText)")
        await bus.close()
    }

    private func waitUntil(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }
}
