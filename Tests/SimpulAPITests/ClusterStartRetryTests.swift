import SimpulAPI
import SimpulBus
import SimpulJetStream
import XCTest

/// A node started while the NATS cluster elects a stream leader waits for it; a cluster
/// nobody answers for, or a refusal, still ends the start at once.
final class ClusterStartRetryTests: XCTestCase {
    private let quick = ClusterStartRetry(budget: .seconds(5), pause: .milliseconds(10))
    private let timeout = JetStreamError.requestFailed(operation: "reading stream SIMPUL_x_P1", detail: "Timeout")

    func testATimeoutIsRetriedUntilTheStartSucceeds() async throws {
        let calls = Counter()
        var retried: [Int] = []
        let value = try await quick.run({
            if calls.next() < 3 { throw SharedStateError.unavailable(self.timeout) }
            return "started"
        }, onRetry: { _, attempt in retried.append(attempt) })
        XCTAssertEqual(value, "started")
        XCTAssertEqual(retried, [1, 2])
    }

    func testAnUnreachableClusterOrARefusalIsNotRetried() async {
        let refusals: [any Error] = [
            JetStreamError.unreachable(servers: ["nats://127.0.0.1:1"], detail: "No server available for connection"),
            SharedStateError.unavailable(.unreachable(servers: ["nats://127.0.0.1:1"], detail: "refused")),
            JetStreamError.partitionCountMismatch(topic: "city.business", existing: 4, requested: 8),
            JetStreamError.dataLossRisk("replicas 1"),
            BusError.storage("disk full"),
        ]
        for refusal in refusals {
            let calls = Counter()
            do {
                _ = try await quick.run({ () async throws -> Int in
                    _ = calls.next()
                    throw refusal
                }, onRetry: { _, _ in })
                XCTFail("\(refusal) must end the start")
            } catch {
                XCTAssertEqual("\(error)", "\(refusal)")
                XCTAssertEqual(calls.count, 1, "\(refusal) was retried")
            }
        }
    }

    func testTheBudgetEndsTheWaitWithTheLastError() async {
        let retry = ClusterStartRetry(budget: .milliseconds(200), pause: .milliseconds(20))
        let calls = Counter()
        let clock = ContinuousClock()
        let began = clock.now
        do {
            _ = try await retry.run({ () async throws -> Int in
                _ = calls.next()
                throw BusError.logUnavailable("no responders")
            }, onRetry: { _, _ in })
            XCTFail("an election that never ends must end the start")
        } catch {
            XCTAssertEqual(error as? BusError, .logUnavailable("no responders"))
        }
        XCTAssertLessThan(clock.now - began, .seconds(2))
        XCTAssertGreaterThan(calls.count, 3)
    }

    func testTheCauseIsFoundInsideAWrappingError() async throws {
        struct Wrapped: Error { let underlying: any Error }
        let calls = Counter()
        let value = try await quick.run({
            if calls.next() < 2 { throw Wrapped(underlying: self.timeout) }
            return 7
        }, cause: { ($0 as? Wrapped)?.underlying ?? $0 }, onRetry: { _, _ in })
        XCTAssertEqual(value, 7)
    }
}

/// Counts calls from the closure under test.
private final class Counter {
    private(set) var count = 0
    /// The number of this call, from 1.
    func next() -> Int {
        count += 1
        return count
    }
}
