import SimpulJetStream
import SimpulTestSupport
import XCTest

/// Goal (issue 8): the shared-state blocks keep their promises on a three-server cluster
/// (R3, `sync_interval: always`) while the server leading them is SIGKILLed: two nodes
/// never both hold a lease, and every acknowledged journal entry reaches the other node's
/// follower, in order and once.
final class SharedStateClusterTests: XCTestCase {
    static let ttl: Duration = .seconds(5)
    static let steps = 40

    func testLeasesAndTheJournalHoldWhileTheirLeaderIsKilled() async throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        let directory = try TemporaryDirectory("shared-cluster")
        defer { directory.remove() }
        let cluster = try NATSClusterProcess(directory: directory.path)
        defer { cluster.stop() }
        let settings = JetStreamSettings(servers: cluster.urls, replicas: 3, serverSyncPolicy: .always, requestTimeoutMs: 1_000)
        // The cluster elects its JetStream leader a few seconds after starting.
        let nodeA = try await retrying(for: .seconds(20)) { try await SharedStateConnection(settings: settings) }
        let nodeB = try await retrying(for: .seconds(20)) { try await SharedStateConnection(settings: settings) }
        let leasesA = try await retrying(for: .seconds(20)) { try await nodeA.leases(ttl: Self.ttl) }
        let leasesB = try await retrying(for: .seconds(20)) { try await nodeB.leases(ttl: Self.ttl) }
        let journalA = try await retrying(for: .seconds(20)) { try await nodeA.journal("dlq") }
        let journalB = try await retrying(for: .seconds(20)) { try await nodeB.journal("dlq") }
        let seenByB = try await Collector(journalB.follow(from: 0))
        var lease = try await retrying(for: .seconds(20)) { try await leasesA.acquire("orders-to-dukcapil/0", holder: "node-a") }

        var acknowledged: [String] = []
        var killed: Int?
        var lastRenew = ContinuousClock.now
        var takenOverByB: ContinuousClock.Instant?
        var heldByAAtTheEnd = true
        var renewGapLongest: Duration = .zero
        var lostAs = ""
        for step in 0..<Self.steps {
            if step == 12 {
                let leader = try await retrying(for: .seconds(20)) { try await journalA.replication().leader }
                let index = try XCTUnwrap(leader.flatMap { Int($0.dropFirst()) }, "journal leader \(leader ?? "none")")
                cluster.kill(index)
                killed = index
            }
            if step == 25, let killed { try cluster.start(killed) }
            let id = "dead-\(step)"
            _ = try await retrying(for: .seconds(20)) { try await journalA.append(Array("dead letter \(step)".utf8), id: id) }
            acknowledged.append(id)
            // A renews every half second; while the cluster elects a leader the renew may fail
            // (unavailable) and A keeps its old lease, acting only while it is valid.
            if heldByAAtTheEnd, ContinuousClock.now - lastRenew >= .milliseconds(500) {
                do {
                    lease = try await leasesA.renew(lease)
                    renewGapLongest = max(renewGapLongest, ContinuousClock.now - lastRenew)
                    lastRenew = ContinuousClock.now
                } catch where error.isUnavailable {
                } catch {
                    heldByAAtTheEnd = false
                    lostAs = "\(error) after \(ContinuousClock.now - lastRenew) without a renew"
                }
            }
            // B tries all along: it may win only once A's own deadline has passed.
            if takenOverByB == nil, let _ = try? await leasesB.acquire("orders-to-dukcapil/0", holder: "node-b") {
                let now = ContinuousClock.now
                takenOverByB = now
                XCTAssertGreaterThanOrEqual(now, lease.validUntil, "node-b acquired while node-a's lease was valid")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Node A stops renewing (as if its process died): node B takes over after the ttl.
        let stoppedRenewing = ContinuousClock.now
        while takenOverByB == nil, ContinuousClock.now - stoppedRenewing < Self.ttl + .seconds(5) {
            if (try? await leasesB.acquire("orders-to-dukcapil/0", holder: "node-b")) != nil {
                takenOverByB = ContinuousClock.now
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let takeover = try XCTUnwrap(takenOverByB, "node-b never took the lease over")
        XCTAssertGreaterThanOrEqual(takeover, lease.validUntil, "both nodes held the lease")
        let arrived = await eventually(timeout: .seconds(15)) { seenByB.count >= Self.steps }
        XCTAssertTrue(arrived, "node B's follower saw \(seenByB.count) of \(Self.steps)")
        XCTAssertEqual(seenByB.entries.compactMap(\.id), acknowledged, "every acknowledged entry, in order, once")
        XCTAssertEqual(seenByB.entries.map(\.offset), (0..<Int64(seenByB.count)).map { $0 })
        print("shared state on 3 servers, journal leader n\(killed ?? -1) SIGKILLed and restarted: "
              + "\(seenByB.count) of \(acknowledged.count) acknowledged entries followed by the other node; "
              + "lease \(heldByAAtTheEnd ? "kept by node-a through the kill" : "lost by node-a: \(lostAs)") "
              + "(longest gap between renews \(renewGapLongest)), taken over by node-b \(takeover - lastRenew) "
              + "after node-a's last renew (ttl \(Self.ttl))")
        await seenByB.stop()
        await nodeA.close()
        await nodeB.close()
    }

}
