import Foundation
import SimpulJetStream
import SimpulTestSupport
import XCTest

/// Goal (issue 8, the cluster test): two real `simpul serve` nodes on a three-server
/// JetStream cluster (R3, `sync_interval: always`) lose nothing a publisher was told is
/// stored when one NATS server and the node delivering the subscription are SIGKILLed
/// mid-run and restarted: every acknowledged event reaches the receiver (distinct ids),
/// the first arrivals of each key come in publish order, the surviving node takes the
/// partitions over, the restarted node gets its share back (rebalancing), and a dead
/// letter is listed through both nodes and replayed through either.
final class TwoNodeClusterTests: XCTestCase {
    static let topic = "city.business.business"
    static let partitions = 4
    static let events = 600
    /// Published after the restarts, through the restarted node too.
    static let eventsAfterRestart = 80
    static let leaseTtlSeconds = 3
    /// The receiver refuses this one for good (410): it goes to the DLQ.
    static let deadLetterIndex = 40

    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("two-node-cluster")
    }

    override func tearDown() { directory?.remove() }

    func testTwoNodesLoseNothingWhenAServerAndTheDeliveringNodeAreKilled() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let cluster = try NATSClusterProcess(directory: directory.path)
        defer { cluster.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        let deadLetterID = ClusterPublisher.id(Self.deadLetterIndex)
        try sink.setMode(.failMatching(status: 410, otherwise: 204) { $0.webhookID == deadLetterID })

        // The cluster elects its JetStream meta leader a few seconds after starting; the
        // test's own view of the leases (bucket `simpul_leases`) waits for it.
        let leases = try await retrying(for: .seconds(20)) {
            try await JetStreamLeases(settings: JetStreamSettings(servers: cluster.urls, replicas: 3, requestTimeoutMs: 2000),
                                      ttl: .seconds(Self.leaseTtlSeconds))
        }
        let log: [String: Any] = ["backend": "jetstream", "servers": cluster.urls, "replicas": 3, "requestTimeoutMs": 2000,
                                  "freeBytesFloor": 0, "deliveryLeaseTtlSeconds": Self.leaseTtlSeconds]
        let nodeA = try SimpulServeNode(name: "a", directory: directory.path, log: log, partitionsPerTopic: Self.partitions)
        let nodeB = try SimpulServeNode(name: "b", directory: directory.path, log: log, partitionsPerTopic: Self.partitions)
        defer {
            nodeA.stop()
            nodeB.stop()
        }
        try nodeA.start()
        // Tokens are each node's configuration: the same tokens.json on both (deploy/nats/README.md).
        try FileManager.default.copyItem(atPath: nodeA.dataDirectory + "/tokens.json", toPath: nodeB.dataDirectory + "/tokens.json")
        try nodeB.start()
        let admin = try Self.adminToken(nodeA.firstTokensFile)
        let fingerprints = [nodeA, nodeB].map { Self.field("tokensFingerprint", $0.request("GET", "/v1/stats", token: admin)) }
        XCTAssertNotNil(fingerprints[0])
        XCTAssertEqual(fingerprints[0], fingerprints[1], "both nodes carry the same tokens")

        let subscription = #"{"name":"sink","topics":["\#(Self.topic)"],"url":"\#(sink.url(path: "/hook"))","#
            + #""ordering":"key","retry":{"delaysMs":[0,200,500,1000,2000]}}"#
        let created = nodeA.request("POST", "/v1/subscriptions", token: admin, body: subscription)
        XCTAssertEqual(created?.status, 201, created?.bodyText ?? "node A did not answer")
        let knownToB = await eventually(timeout: .seconds(10)) {
            nodeB.request("GET", "/v1/subscriptions/sink", token: admin)?.status == 200
        }
        XCTAssertTrue(knownToB, "a subscription created through A is B's too")

        // Publishing through both nodes, paced over ~7.5 s, while the sink receives.
        let publisher = ClusterPublisher(nodes: [nodeA, nodeB], token: admin, indices: 0..<Self.events, eventsPerSecond: 80)
        publisher.start(deadline: Date().addingTimeInterval(40))
        let midRun = await eventually(timeout: .seconds(20)) { publisher.acknowledgedCount >= Self.events / 3 }
        XCTAssertTrue(midRun, "a third published in time: \(publisher.acknowledgedCount)")
        // The topic's streams exist since the first publish; each partition's lease has a holder.
        let nodePIDs = Set([nodeA.pid, nodeB.pid].compactMap { $0 })
        let allHeld = await eventually(timeout: .seconds(5)) {
            await Self.holders(leases).allSatisfy { $0.map(nodePIDs.contains) ?? false }
        }
        let before = await Self.holders(leases)
        XCTAssertTrue(allHeld, "every partition has a holder among the nodes \(nodePIDs): \(before)")

        // Mid-run: SIGKILL the NATS server leading the leases bucket (no lease is written
        // until another is elected), then a delivering node (the one holding more; with
        // the fair share, usually 2 and 2, so B).
        let heldByA = before.filter { $0 == nodeA.pid }.count
        let (victim, survivor) = heldByA > Self.partitions / 2 ? (nodeA, nodeB) : (nodeB, nodeA)
        let heldByVictim = before.filter { $0 == victim.pid }.count
        let leader = try await retrying(for: .seconds(5)) { try await leases.replication().leader }
        let natsVictim = try XCTUnwrap(leader.flatMap { Int($0.dropFirst()) }, "the leases bucket's leader: \(leader ?? "none")")
        cluster.kill(natsVictim)
        try await Task.sleep(for: .milliseconds(300))
        victim.kill()
        let killedAt = clock.now
        try await Task.sleep(for: .milliseconds(1500))
        try cluster.start(natsVictim)
        try cluster.waitUntilListening(natsVictim)
        let survivorPID = survivor.pid
        let takenOver = await eventually(timeout: .seconds(20)) {
            await Self.holders(leases).allSatisfy { $0 != nil && $0 == survivorPID }
        }
        let takeover = clock.now - killedAt
        let heldAfter = await Self.holders(leases)
        XCTAssertTrue(takenOver, "\(survivor.name) (pid \(survivorPID.map(String.init) ?? "?")) holds every partition: \(heldAfter)")
        // Started again once: a start while a stream of the cluster still elects its leader
        // waits for it (ClusterStartRetry) instead of exiting.
        let logBeforeRestart = victim.log.count
        try victim.start(timeoutSeconds: 75)
        let restartedAt = clock.now
        let waitedStarts = victim.log.dropFirst(logBeforeRestart).components(separatedBy: "the NATS cluster answered but not in time").count - 1
        let finished = await eventually(timeout: .seconds(45)) { publisher.isFinished }
        XCTAssertTrue(finished, "the publisher stops at its deadline")

        // Both nodes up again: a last round through both, the restarted one first.
        let total = Self.events + Self.eventsAfterRestart
        let lastRound = ClusterPublisher(nodes: [victim, survivor], token: admin, indices: Self.events..<total,
                                         eventsPerSecond: 200)
        lastRound.start(deadline: Date().addingTimeInterval(20))
        let lastFinished = await eventually(timeout: .seconds(25)) { lastRound.isFinished }
        XCTAssertTrue(lastFinished, "the last round stops at its deadline")
        XCTAssertGreaterThan(lastRound.result.acknowledgedBy[victim.name] ?? 0, 0, "the restarted node acknowledges publishes")

        // Rebalancing: the restarted node gets its share back from the survivor (handed
        // over, not waited out), during or after the last round.
        let pids = (survivor.pid, victim.pid)
        let rebalanced = await eventually(timeout: .seconds(20)) {
            let holders = await Self.holders(leases)
            return holders.filter { $0 != nil && $0 == pids.0 }.count == Self.partitions / 2
                && holders.filter { $0 != nil && $0 == pids.1 }.count == Self.partitions / 2
        }
        let rebalance = clock.now - restartedAt
        let heldRebalanced = await Self.holders(leases)
        XCTAssertTrue(rebalanced, "\(survivor.name) and the restarted \(victim.name) hold 2 each: \(heldRebalanced) "
                      + "(pids \(pids.0.map(String.init) ?? "?"), \(pids.1.map(String.init) ?? "?"))")

        var acknowledged: Set<String> = []
        for outcome in [publisher.result, lastRound.result] {
            XCTAssertEqual(outcome.unexpected, [:], "only 2xx and 503 answers")
            XCTAssertEqual(outcome.unfinished, [], "every event acknowledged in the end")
            XCTAssertEqual(outcome.acknowledged.count, Set(outcome.acknowledged).count, "each acknowledged once")
            XCTAssertTrue(outcome.refused.isSubset(of: Set(outcome.acknowledged)),
                          "a refused publish counts only once retried with its id and acknowledged")
            acknowledged.formUnion(outcome.acknowledged)
        }
        XCTAssertEqual(acknowledged.count, total)

        let delivered = await sink.waitUntil(timeout: .seconds(30)) { $0.distinctWebhookIDs.isSuperset(of: acknowledged) }
        let missing = acknowledged.subtracting(sink.distinctWebhookIDs)
        XCTAssertTrue(delivered, "\(missing.count) acknowledged events missing at the sink: \(missing.sorted().prefix(20))")
        let published = Set((0..<total).map(ClusterPublisher.id))
        XCTAssertTrue(sink.distinctWebhookIDs.isSubset(of: published), "nothing the test did not publish")
        let disordered = Self.keysOutOfOrder(sink.firstArrivals, indices: 0..<total)
        XCTAssertEqual(disordered, [], "per key, first arrivals in publish order")

        // Replayed through the restarted node: whichever node holds the dead letter's
        // partition now (after the rebalance, either) picks the replay up.
        try await checkDeadLetter(deadLetterID, sink: sink, listedThrough: [survivor, victim], replayThrough: victim, admin: admin)
        await leases.close()
        let duplicates = sink.requestsPerWebhookID.values.reduce(0) { $0 + $1 - 1 }
        let outcome = publisher.result
        print("two-node cluster: \(acknowledged.count) acknowledged (mid-run \(outcome.refusals503) answers 503 for "
              + "\(outcome.refused.count) events, \(outcome.unreachable) attempts unanswered); killed nats n\(natsVictim) and "
              + "node \(victim.name) holding \(heldByVictim) of \(Self.partitions) "
              + "partitions; \(survivor.name) held all \(takeover) later (ttl \(Self.leaseTtlSeconds) s); "
              + "2 and 2 again \(rebalance) after the restart; "
              + "\(sink.requestCount) requests, \(duplicates) repeated; \(victim.name) restarted "
              + "(\(waitedStarts) start attempts waited for an election); whole test \(clock.now - began)")
    }

    /// The dead letter is listed through every node of `listedThrough`, replayed through
    /// `replayThrough`, reaches the (now accepting) receiver and shows as delivered everywhere.
    private func checkDeadLetter(_ eventID: String, sink: DeliverySink, listedThrough nodes: [SimpulServeNode],
                                 replayThrough replayer: SimpulServeNode, admin: String) async throws {
        var entryIDs: [String] = []
        for node in nodes {
            let listed = await eventually(timeout: .seconds(10)) {
                let entries = Self.deadLetters(node, admin: admin)
                entryIDs = entries.filter { $0["eventId"] as? String == eventID }.compactMap { $0["id"] as? String }
                return !entryIDs.isEmpty
            }
            XCTAssertTrue(listed, "the dead letter is listed through node \(node.name)")
            let others = Self.deadLetters(node, admin: admin).compactMap { $0["eventId"] as? String }.filter { $0 != eventID }
            XCTAssertEqual(others, [], "no other event was dead-lettered")
        }
        try sink.setMode(.accept)
        let sentBefore = sink.requestsPerWebhookID[eventID] ?? 0
        let ids = entryIDs.map { "\"\($0)\"" }.joined(separator: ",")
        let replay = replayer.request("POST", "/v1/dlq/replay", token: admin, body: #"{"ids":[\#(ids)]}"#)
        XCTAssertEqual(replay?.status, 200, replay?.bodyText ?? "node \(replayer.name) did not answer")
        XCTAssertEqual(Self.field("replayed", replay).flatMap(Int.init), entryIDs.count, replay?.bodyText ?? "")
        let resent = await sink.waitUntil(timeout: .seconds(15)) { ($0.requestsPerWebhookID[eventID] ?? 0) > sentBefore }
        XCTAssertTrue(resent, "the replay reached the receiver with the same event id")
        for node in nodes {
            let settled = await eventually(timeout: .seconds(10)) {
                Self.deadLetters(node, admin: admin).filter { $0["eventId"] as? String == eventID }
                    .allSatisfy { $0["state"] as? String == "delivered" }
            }
            XCTAssertTrue(settled, "node \(node.name) shows the replayed entry delivered")
        }
    }

    // MARK: Reading the nodes and the cluster

    /// The pid of each partition's lease holder (holder names are `host-pid-startms`).
    private static func holders(_ leases: JetStreamLeases) async -> [Int32?] {
        var pids: [Int32?] = []
        for partition in 0..<partitions {
            let holder = try? await leases.holder(of: "sink/\(topic)/\(partition)")
            let parts = holder?.split(separator: "-") ?? []
            pids.append(parts.count >= 3 ? Int32(parts[parts.count - 2]) : nil)
        }
        return pids
    }

    /// Keys whose events' first arrivals are not in publish (index) order.
    private static func keysOutOfOrder(_ arrivals: [String: ContinuousClock.Instant], indices: Range<Int>) -> [String] {
        var byKey: [String: [(index: Int, at: ContinuousClock.Instant)]] = [:]
        for index in indices {
            guard let at = arrivals[ClusterPublisher.id(index)] else { continue }
            byKey[ClusterPublisher.key(index), default: []].append((index, at))
        }
        return byKey.filter { _, events in
            let indices = events.sorted { $0.at < $1.at }.map(\.index)
            return indices != indices.sorted()
        }.keys.sorted()
    }

    private static func deadLetters(_ node: SimpulServeNode, admin: String) -> [[String: Any]] {
        guard let response = node.request("GET", "/v1/dlq?subscription=sink&limit=100", token: admin),
              response.status == 200,
              let page = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return [] }
        return page["entries"] as? [[String: Any]] ?? []
    }

    private static func field(_ name: String, _ response: RawHTTPClient.Response?) -> String? {
        guard let response, let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let value = object[name] else { return nil }
        return "\(value)"
    }

    private static func adminToken(_ file: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let token = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["admin"] as? String else {
            throw RawHTTPClient.Failure(description: "no admin token in \(file)")
        }
        return token
    }
}
