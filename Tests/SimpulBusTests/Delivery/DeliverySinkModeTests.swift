import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 5 tests): through the real sender to a real HTTP sink on 127.0.0.1, each
/// fault mode — first N answers 500, hangs past the timeout, port closed, 429 with
/// Retry-After, 400, slow body — loses nothing: attempts follow the policy, what cannot be
/// delivered lands in the DLQ, and a replay delivers it with the same id.
final class DeliverySinkModeTests: XCTestCase {
    private struct Case {
        var name: String
        var mode: DeliverySink.Mode
        /// Attempts each event gets before it settles, with the 4-attempt test policy.
        var attempts: Int
        var deadLettered: Bool
    }

    func testEveryFaultModeLosesNothing() async throws {
        let cases = [
            Case(name: "first-500", mode: .failFirst(count: 5, status: 500, thenStatus: 204), attempts: 0, deadLettered: false),
            Case(name: "hang", mode: .hang, attempts: 4, deadLettered: true),
            Case(name: "closed", mode: .refuseConnections, attempts: 4, deadLettered: true),
            Case(name: "rate-limited", mode: .rateLimited(seconds: 1), attempts: 4, deadLettered: true),
            Case(name: "bad-request", mode: .reject, attempts: 1, deadLettered: true),
            Case(name: "slow-body", mode: .slowBody(status: 200, bytes: 2048, chunkBytes: 512, interval: .milliseconds(20)),
                 attempts: 1, deadLettered: false),
        ]
        let sender = try CurlMultiSender()
        defer { sender.shutdown() }
        for testCase in cases {
            let fixture = try DeliveryFixture()
            let sink = try DeliverySink()
            defer {
                sink.shutdown()
                fixture.directory.remove()
            }
            var busSettings = BusSettings(dataDirectory: fixture.directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
            busSettings.log.freeBytesFloor = 0
            let bus = try Bus.open(busSettings)
            try bus.log.createTopic(try TopicName(DeliveryFixture.topic))
            let engine = try await bus.startDelivery(sender: sender, settings: DeliveryFixture.fastSettings)
            try sink.setMode(testCase.mode)
            _ = try await engine.create(DeliveryFixture.subscription(testCase.name, delaysMs: [0, 20, 20, 20], extra: [
                ("url", .string(sink.url(path: "/hook"))), ("timeoutMs", .int(300)),
                ("retry", .object([("delaysMs", .array([0, 20, 20, 20].map { .int($0) })), ("retryAfterMaxMs", .int(1500))])),
            ]))
            let ids = try await DeliveryFixture.publish(bus, count: 5)
            let settled = await waitUntil(timeout: .seconds(30)) {
                let state = await engine.state(testCase.name)
                return (state["delivered"]?.intValue ?? 0) + (state["failed"]?.intValue ?? 0) == ids.count
            }
            XCTAssertTrue(settled, "\(testCase.name): every event settles")
            let dead = engine.deadLetters(DeadLetterFilter(subscription: testCase.name), after: nil, limit: 100)
            XCTAssertEqual(dead.total, testCase.deadLettered ? ids.count : 0, "\(testCase.name): DLQ size")
            if testCase.attempts > 0 {
                for entry in dead.entries {
                    XCTAssertEqual(entry.attemptCount, testCase.attempts, "\(testCase.name): attempts per the policy")
                }
            }
            if case .rateLimited = testCase.mode, let entry = dead.entries.first {
                let times = try await engine.deadLetter(entry.id).attempts.map(\.atMs)
                for (earlier, later) in zip(times, times.dropFirst()) {
                    XCTAssertTrue((900...1600).contains(later - earlier), "Retry-After: 1 honoured, gap \(later - earlier) ms")
                }
            }
            if testCase.deadLettered {
                try sink.setMode(.accept)
                sink.reset()
                let report = try await engine.replay(ids: nil, filter: DeadLetterFilter(subscription: testCase.name),
                                                     dryRun: false, force: false)
                XCTAssertEqual(report.count(.replayed), ids.count)
                let delivered = await sink.waitForDistinctWebhookIDs(count: ids.count, timeout: .seconds(10))
                XCTAssertTrue(delivered, "\(testCase.name): the replay delivers")
                XCTAssertEqual(sink.distinctWebhookIDs, Set(ids), "\(testCase.name): with the same ids")
            } else {
                XCTAssertTrue(sink.distinctWebhookIDs.isSuperset(of: ids), "\(testCase.name): delivered")
            }
            await bus.close()
        }
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
