import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (issue 8): `/readyz` is false while the cluster cannot store, not only while the
/// connection is down — a server that lost its two peers still accepts the connection but
/// JetStream there can elect no leader — and true again once a majority is back.
final class JetStreamReadinessTests: XCTestCase {
    func testReadinessFollowsTheClustersMajority() async throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        let directory = try TemporaryDirectory("jetstream-readiness")
        defer { directory.remove() }
        let cluster = try NATSClusterProcess(directory: directory.path)
        defer { cluster.stop() }
        // Only the first server is named, so the connection stays with it.
        let settings = JetStreamSettings(servers: [cluster.urls[0]], replicas: 3, serverSyncPolicy: .always,
                                         requestTimeoutMs: 1_000)
        let store = try await retrying(for: .seconds(20)) { try await JetStreamLogStore(settings: settings) }
        let ready = await waitFor(timeout: .seconds(20)) { await store.unavailableReason() == nil }
        XCTAssertTrue(ready, "the cluster elected its meta leader")

        let clock = ContinuousClock()
        let lostAt = clock.now
        cluster.kill(1)
        cluster.kill(2)
        var reason: String?
        let noticed = await waitFor(timeout: .seconds(30)) {
            reason = await store.unavailableReason()
            return reason != nil
        }
        XCTAssertTrue(noticed, "a lone server is not ready")
        XCTAssertTrue(reason?.contains("does not answer JetStream requests") ?? false, reason ?? "")
        print("readiness: majority lost noticed after \(clock.now - lostAt)")

        let backAt = clock.now
        try cluster.start(1)
        let back = await waitFor(timeout: .seconds(30)) { await store.unavailableReason() == nil }
        XCTAssertTrue(back, "ready again with two of three servers")
        print("readiness: ready again after \(clock.now - backAt)")
        await store.close()
    }

    private func waitFor(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

}
