import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (J1, CI size): on three servers with R3 and `sync_interval: always`, every append
/// JetStream acknowledged is still there after one server is SIGKILLed mid-run and
/// restarted, and retried publishes (same event id) are stored once.
final class JetStreamClusterTests: XCTestCase {
    static let publishCount = 1_000
    static let killAt = 300
    static let restartAt = 600

    func testAcknowledgedAppendsSurviveAKilledServer() async throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        let directory = try TemporaryDirectory("jetstream-cluster")
        defer { directory.remove() }
        let cluster = try NATSClusterProcess(directory: directory.path)
        defer { cluster.stop() }
        let settings = JetStreamSettings(servers: cluster.urls, replicas: 3, serverSyncPolicy: .always)
        let store = try await openWhenClusterIsReady(settings)
        let topic = try TopicName("city.cluster")
        try await retrying("create the topic") { try await store.createTopic(topic, partitions: 1) }

        var acknowledged: [String: Int64] = [:]
        var retries = 0
        var killed: Int?
        let started = ContinuousClock.now
        for number in 0..<Self.publishCount {
            if number == Self.killAt {
                // The stream's leader: the server whose loss forces an election mid-run.
                let leader = try await store.replication(topic: topic, partition: 0).leader
                let index = try XCTUnwrap(leader.flatMap { Int($0.dropFirst()) }, "leader \(leader ?? "none")")
                cluster.kill(index)
                killed = index
            }
            if number == Self.restartAt, let killed { try cluster.start(killed) }
            let id = "evt-\(number)"
            let record = AppendRecord(key: Array(id.utf8), value: Array("payload \(number)".utf8))
            let offset = try await retrying("publish \(id)") {
                try await store.append([record], topic: topic, partition: 0)
            } onRetry: { retries += 1 }
            acknowledged[id] = offset
        }

        let elapsed = ContinuousClock.now - started
        let replication = try await waitUntilAllReplicasAreCurrent(store, topic)
        XCTAssertEqual(replication.followers.count, 2)
        XCTAssertTrue(replication.followers.allSatisfy(\.current), "the restarted server caught up: \(replication)")

        let stored = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 10 * Self.publishCount, maxBytes: 64 << 20)
        let storedIDs = stored.map { String(decoding: $0.key, as: UTF8.self) }
        let lost = acknowledged.filter { id, offset in
            !stored.contains { $0.offset == offset && String(decoding: $0.key, as: UTF8.self) == id }
        }
        XCTAssertEqual(acknowledged.count, Self.publishCount)
        XCTAssertEqual(lost.count, 0, "acknowledged but missing: \(lost.keys.sorted().prefix(10))")
        XCTAssertEqual(storedIDs.count - Set(storedIDs).count, 0, "duplicates after dedup")
        print("J1 (CI size): \(Self.publishCount) acked in \(elapsed) with the leader n\(killed ?? -1) SIGKILLed, "
              + "\(lost.count) lost, \(storedIDs.count) stored, \(retries) retried publishes")
        await store.close()
    }

    private func waitUntilAllReplicasAreCurrent(_ store: JetStreamLogStore, _ topic: TopicName) async throws -> StreamReplication {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let replication = try await retrying("stream info") { try await store.replication(topic: topic, partition: 0) }
            if replication.followers.count == 2 && replication.followers.allSatisfy(\.current) || ContinuousClock.now > deadline {
                return replication
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The cluster elects its JetStream leader a few seconds after starting.
    private func openWhenClusterIsReady(_ settings: JetStreamSettings) async throws -> JetStreamLogStore {
        try await retrying("connect") { try await JetStreamLogStore(settings: settings) }
    }

    /// Retries a JetStream call while the cluster elects a new leader (bounded: 30 s).
    private func retrying<T>(_ what: String, _ body: () async throws -> T, onRetry: () -> Void = {}) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try await body()
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                onRetry()
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
