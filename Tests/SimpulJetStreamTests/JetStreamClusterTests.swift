import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (J1): on three servers with R3 and `sync_interval: always`, every append
/// (single or pipelined batch) JetStream acknowledged is still there after one server is SIGKILLed mid-run and
/// restarted, and retried publishes (same event id) are stored once. `make test` runs
/// RELIABILITY.md's full size, 10,000 publishes (about 25 s on 2 cores);
/// `SIMPUL_J1_PUBLISHES=N` runs another.
final class JetStreamClusterTests: XCTestCase {
    static let publishCount: Int = {
        let requested = ProcessInfo.processInfo.environment["SIMPUL_J1_PUBLISHES"].flatMap { Int($0) } ?? 10_000
        return max(100, min(requested, 1_000_000)) / 100 * 100
    }()
    /// The leader is killed once among single appends and once among batches, each time
    /// restarted later on.
    static let killAt: Set<Int> = [publishCount * 3 / 10, publishCount * 7 / 10]
    static let restartAt: Set<Int> = [publishCount / 2, publishCount * 9 / 10]
    static let batchSize = 10

    func testAcknowledgedAppendsSurviveAKilledServer() async throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        let directory = try TemporaryDirectory("jetstream-cluster")
        defer { directory.remove() }
        let cluster = try NATSClusterProcess(directory: directory.path)
        defer { cluster.stop() }
        // A short request timeout: a publish to a dead leader is retried after 1 s, not 5.
        let settings = JetStreamSettings(servers: cluster.urls, replicas: 3, serverSyncPolicy: .always, requestTimeoutMs: 1_000)
        let store = try await openWhenClusterIsReady(settings)
        let topic = try TopicName("city.cluster")
        try await retrying("create the topic") { try await store.createTopic(topic, partitions: 1) }

        // The first half as single appends, the second as pipelined batches of ten; a failed
        // append is retried whole with the same event ids, as the bus's publishers do.
        var acknowledged: Set<String> = []
        var retries = 0
        var killed: [Int] = []
        let started = ContinuousClock.now
        var number = 0
        while number < Self.publishCount {
            if Self.killAt.contains(number) {
                // The stream's leader: the server whose loss forces an election mid-run.
                let leader = try await store.replication(topic: topic, partition: 0).leader
                let index = try XCTUnwrap(leader.flatMap { Int($0.dropFirst()) }, "leader \(leader ?? "none")")
                cluster.kill(index)
                killed.append(index)
            }
            if Self.restartAt.contains(number), let last = killed.last { try cluster.start(last) }
            let size = number < Self.publishCount / 2 ? 1 : Self.batchSize
            let ids = (number..<number + size).map { "evt-\($0)" }
            let records = ids.map { AppendRecord(key: Array($0.utf8), value: Array("payload \($0)".utf8)) }
            _ = try await retrying("publish \(ids[0])") {
                try await store.append(records, topic: topic, partition: 0)
            } onRetry: { retries += 1 }
            acknowledged.formUnion(ids)
            number += size
        }
        let elapsed = ContinuousClock.now - started
        let replication = try await waitUntilAllReplicasAreCurrent(store, topic)
        XCTAssertEqual(replication.followers.count, 2)
        XCTAssertTrue(replication.followers.allSatisfy(\.current), "the restarted server caught up: \(replication)")

        let stored = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 10 * Self.publishCount, maxBytes: 64 << 20)
        let storedIDs = stored.map { String(decoding: $0.key, as: UTF8.self) }
        let lost = acknowledged.subtracting(storedIDs)
        XCTAssertEqual(acknowledged.count, Self.publishCount)
        XCTAssertEqual(lost.count, 0, "acknowledged but missing: \(lost.sorted().prefix(10))")
        XCTAssertEqual(storedIDs.count - Set(storedIDs).count, 0, "duplicates after dedup")
        print("J1: \(Self.publishCount) acked in \(elapsed) with the leader SIGKILLed twice (n\(killed.map(String.init).joined(separator: ", n"))), "
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
