import SimpulJetStream
import SimpulTestSupport
import XCTest

/// Goal (issue 8): nodes share a subscription's partitions through leases — one holder per
/// name at a time, taken over once the holder stops renewing, and a holder that lost its
/// lease is told so instead of overwriting the new holder.
final class JetStreamLeaseTests: XCTestCase {
    static let ttl: Duration = .seconds(2)
    private var server: SharedStateTestServer!

    override func setUpWithError() throws { server = try SharedStateTestServer("leases") }
    override func tearDown() { server?.stop() }

    private func node() async throws -> JetStreamLeases {
        try await JetStreamLeases(settings: server.settings, ttl: Self.ttl)
    }

    func testOfTwoNodesRacingForALeaseExactlyOneWins() async throws {
        let (nodeA, nodeB) = (try await node(), try await node())
        for round in 0..<20 {
            let name = "orders-to-dukcapil/\(round)"
            async let first = Self.attempt { try await nodeA.acquire(name, holder: "node-a") }
            async let second = Self.attempt { try await nodeB.acquire(name, holder: "node-b") }
            let outcomes = await [first, second]
            let winners = outcomes.compactMap { try? $0.get() }
            XCTAssertEqual(winners.count, 1, "round \(round): \(outcomes)")
            guard let winner = winners.first else { continue }
            for case .failure(let error) in outcomes {
                let refusal = error as? SharedStateError
                XCTAssertEqual(refusal, .leaseHeld(name: name, holder: winner.holder))
                XCTAssertEqual(refusal?.isUnavailable, false)
            }
            let stored = try await nodeA.holder(of: name)
            XCTAssertEqual(stored, winner.holder)
        }
        await nodeA.close()
        await nodeB.close()
    }

    func testTheLoserTakesOverOnceTheHolderStopsRenewingAndTheHolderLearnsItLostIt() async throws {
        let (nodeA, nodeB) = (try await node(), try await node())
        let name = "orders-to-dukcapil/0"
        var lease = try await nodeA.acquire(name, holder: "node-a")
        // Renewing keeps it past its first ttl: B is refused all along.
        for _ in 0..<4 {
            try await Task.sleep(for: .milliseconds(700))
            lease = try await nodeA.renew(lease)
            await assertThrows(.leaseHeld(name: name, holder: "node-a")) { try await nodeB.acquire(name, holder: "node-b") }
        }
        XCTAssertTrue(lease.isValid)
        // A stops renewing (as if its process died): B gets it once the ttl has passed.
        let lastRenew = ContinuousClock.now
        var taken: Lease?
        while taken == nil, ContinuousClock.now - lastRenew < .seconds(10) {
            taken = try? await nodeB.acquire(name, holder: "node-b")
            if taken == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let takeover = ContinuousClock.now - lastRenew
        let takenLease = try XCTUnwrap(taken, "node-b never took the lease over")
        XCTAssertGreaterThanOrEqual(takeover, Self.ttl - .milliseconds(100), "taken over before the ttl passed")
        XCTAssertFalse(lease.isValid, "A's own clock says its lease is over by the time B holds it")
        print("lease takeover: \(takeover) after the holder's last renew (ttl \(Self.ttl))")

        // A comes back and renews: it is told it lost the lease, and B keeps it.
        await assertThrows(.leaseLost(name: name, holder: "node-a", nowHeldBy: "node-b")) { try await nodeA.renew(lease) }
        try await nodeA.release(lease)
        let holder = try await nodeA.holder(of: name)
        XCTAssertEqual(holder, "node-b", "a stale release must not free the new holder's lease")
        _ = try await nodeB.renew(takenLease)
        await nodeA.close()
        await nodeB.close()
    }

    func testAReleasedLeaseIsFreeAtOnce() async throws {
        let (nodeA, nodeB) = (try await node(), try await node())
        let lease = try await nodeA.acquire("quarantine-retry", holder: "node-a")
        try await nodeA.release(lease)
        let taken = try await nodeB.acquire("quarantine-retry", holder: "node-b")
        XCTAssertEqual(taken.holder, "node-b")
        await assertThrows(.leaseLost(name: "quarantine-retry", holder: "node-a", nowHeldBy: "node-b")) {
            try await nodeA.renew(lease)
        }
        await nodeA.close()
        await nodeB.close()
    }

    func testARenewWhoseAnswerWasLostDoesNotLoseTheLease() async throws {
        let nodeA = try await node()
        let acquired = try await nodeA.acquire("orders-to-bpjs/1", holder: "node-a@1700000000")
        // The renew was written but its answer lost: node-a still has the older revision.
        let written = try await nodeA.renew(acquired)
        let carriedOn = try await nodeA.renew(acquired)
        XCTAssertGreaterThan(carriedOn.revision, written.revision)
        XCTAssertTrue(carriedOn.isValid)
        let holder = try await nodeA.holder(of: "orders-to-bpjs/1")
        XCTAssertEqual(holder, "node-a@1700000000")
        await nodeA.close()
    }

    func testAnExpiredLeaseThatNoOneTookIsLostToo() async throws {
        let nodeA = try await node()
        let lease = try await nodeA.acquire("orders-to-bpjs/3", holder: "node-a")
        try await Task.sleep(for: Self.ttl + .milliseconds(1_500))
        await assertThrows(.leaseLost(name: "orders-to-bpjs/3", holder: "node-a", nowHeldBy: nil)) { try await nodeA.renew(lease) }
        let again = try await nodeA.acquire("orders-to-bpjs/3", holder: "node-a")
        XCTAssertTrue(again.isValid)
        await nodeA.close()
    }

    func testNodesDisagreeingOnTheTimeToLiveAreRefused() async throws {
        let nodeA = try await node()
        do {
            _ = try await JetStreamLeases(settings: server.settings, ttl: .seconds(30))
            XCTFail("a second ttl for the same bucket was accepted")
        } catch let error as JetStreamError {
            XCTAssertFalse(error.isUnavailable)
            XCTAssertTrue(error.description.contains("same setting"), error.description)
        }
        await nodeA.close()
    }

    func testAnUnreachableClusterIsUnavailableNotRefused() async throws {
        let nodeA = try await node()
        server.server.stop()
        let reached = await eventually(timeout: .seconds(5)) {
            do {
                _ = try await nodeA.acquire("orders-to-dukcapil/0", holder: "node-a")
                return false
            } catch {
                return (error as? SharedStateError)?.isUnavailable == true
            }
        }
        XCTAssertTrue(reached, "acquire on a stopped server did not report the cluster unavailable")
        await nodeA.close()
    }

    private static func attempt(_ body: () async throws -> Lease) async -> Result<Lease, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    private func assertThrows<T>(_ expected: SharedStateError, _ body: () async throws -> T,
                                 file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? SharedStateError, expected, file: file, line: line)
        }
    }
}
