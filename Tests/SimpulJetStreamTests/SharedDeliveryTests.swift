import Foundation
import SimpulBus
import SimpulTestSupport
import XCTest

/// Goal (issue 8, docs/design/stateless-nodes.md): two Simpul nodes on one JetStream
/// cluster share the deliveries — each event of a subscription is delivered by the node
/// holding its partition's lease, each node holding half; a node that dies has its partitions taken over within
/// about the lease ttl, from the committed cursor, and nothing acknowledged goes missing;
/// subscriptions and the DLQ are the cluster's, so a dead letter written on one node is
/// listed and replayed through the other.
final class SharedDeliveryTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("shared-delivery")
    }

    override func tearDown() { directory?.remove() }

    func testTwoNodesDeliverEveryEventAndASurvivorTakesOverADeadNode() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        let nodeA = try await SharedDeliveryNode.start("a", natsURL: nats.url, directory: directory.path)
        _ = try await nodeA.engine.create(SharedDeliveryNode.subscription("sink", url: sink.url(path: "/hook")))
        let aHoldsAll = await eventually(timeout: .seconds(5)) { nodeA.held.count == SharedDeliveryNode.partitions }
        XCTAssertTrue(aHoldsAll, "the first node takes every free partition: \(nodeA.held)")
        let nodeB = try await SharedDeliveryNode.start("b", natsURL: nats.url, directory: directory.path)
        XCTAssertEqual(nodeB.engine.subscriptions.map(\.name), ["sink"], "a subscription created on A is known to B")
        let shared = await eventually(timeout: .seconds(8)) { nodeA.held.count == 2 && nodeB.held.count == 2 }
        XCTAssertTrue(shared, "A handed half of the partitions to B: A \(nodeA.held), B \(nodeB.held)")

        // Published through both nodes: one delivery each, by the partitions' holder.
        var acknowledged = try await nodeA.publish("a", count: 100)
        acknowledged += try await nodeB.publish("b", count: 100)
        let delivered = await sink.waitForDistinctWebhookIDs(count: acknowledged.count, timeout: .seconds(20))
        XCTAssertTrue(delivered, "delivered \(sink.distinctWebhookIDCount) of \(acknowledged.count)")
        XCTAssertEqual(sink.distinctWebhookIDs, Set(acknowledged))
        XCTAssertEqual(sink.requestCount, acknowledged.count, "no partition moved meanwhile, so no event twice")

        // A dies mid-run (its lease keeper stops without giving its leases up): events are
        // being published and delivered meanwhile; B takes A's half over after the ttl.
        let publishing = Task { try await nodeA.publish("during", count: 150) }
        try await Task.sleep(for: .milliseconds(100))
        let killed = ContinuousClock.now
        await nodeA.shared.keeper.stop(releasing: false)
        acknowledged += try await publishing.value
        let takenOver = await eventually(timeout: .seconds(10)) { nodeB.held.count == SharedDeliveryNode.partitions }
        let takeover = ContinuousClock.now - killed
        XCTAssertTrue(takenOver, "B holds every partition: \(nodeB.held)")
        XCTAssertLessThan(takeover, SharedDeliveryNode.leaseTtl + .seconds(2), "taken over within about the ttl")
        acknowledged += try await nodeB.publish("after", count: 50)
        let all = await sink.waitForDistinctWebhookIDs(count: acknowledged.count, timeout: .seconds(20))
        XCTAssertTrue(all, "missing at the sink: \(Set(acknowledged).subtracting(sink.distinctWebhookIDs).sorted().prefix(10))")
        XCTAssertEqual(sink.distinctWebhookIDs, Set(acknowledged), "every acknowledged event, none extra")
        print("shared delivery: takeover after \(takeover) (ttl \(SharedDeliveryNode.leaseTtl)); "
              + "\(sink.requestCount) requests for \(acknowledged.count) events")
        await nodeB.close()
        await nodeA.close()
    }

    func testTheNewOwnerTakesOverThePendingRetriesOfADeadNode() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        try sink.setMode(.respond(status: 503))
        let nodeA = try await SharedDeliveryNode.start("a", natsURL: nats.url, directory: directory.path)
        _ = try await nodeA.engine.create(SharedDeliveryNode.subscription("sink", url: sink.url(path: "/hook"),
                                                                          delaysMs: [0, 1500, 1500, 1500]))
        let aHoldsAll = await eventually(timeout: .seconds(5)) { nodeA.held.count == SharedDeliveryNode.partitions }
        XCTAssertTrue(aHoldsAll)
        let nodeB = try await SharedDeliveryNode.start("b", natsURL: nats.url, directory: directory.path)
        let ids = try await nodeB.publish("retry", count: 8)
        // A tried each once and saved its retry (due 1.5 s later) in the shared pending journal;
        // its cursor moved past them, so only the pending entries still know them.
        let tried = await sink.waitForDistinctWebhookIDs(count: ids.count, timeout: .seconds(10))
        XCTAssertTrue(tried, "A made the first attempts: \(sink.distinctWebhookIDCount)")
        try await Task.sleep(for: .milliseconds(300))
        await nodeA.shared.keeper.stop(releasing: false)
        try sink.setMode(.accept)
        sink.reset()
        let retried = await sink.waitForDistinctWebhookIDs(count: ids.count, timeout: .seconds(15))
        XCTAssertTrue(retried, "B sent A's retries: \(sink.distinctWebhookIDs.sorted())")
        XCTAssertEqual(sink.distinctWebhookIDs, Set(ids), "with their event ids")
        XCTAssertEqual(nodeB.held.count, SharedDeliveryNode.partitions)
        await nodeB.close()
        await nodeA.close()
    }

    func testTwoNodesCreatingOneNameAtOnceGetOneSubscriptionAndOne409() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let nodeA = try await SharedDeliveryNode.start("a", natsURL: nats.url, directory: directory.path)
        let nodeB = try await SharedDeliveryNode.start("b", natsURL: nats.url, directory: directory.path)
        for round in 0..<3 {
            let name = "twin-\(round)"
            async let fromA = Self.outcome { try await nodeA.engine.create(SharedDeliveryNode.subscription(name, url: "http://127.0.0.1:9/a")) }
            async let fromB = Self.outcome { try await nodeB.engine.create(SharedDeliveryNode.subscription(name, url: "http://127.0.0.1:9/b")) }
            let outcomes = await [fromA, fromB]
            let created = outcomes.compactMap { try? $0.get() }
            XCTAssertEqual(created.count, 1, "round \(round): one create wins: \(outcomes)")
            for case .failure(let error) in outcomes {
                XCTAssertEqual((error as? BusError)?.status, 409, "the other is told the name exists: \(error)")
            }
            let agreed = await eventually(timeout: .seconds(5)) {
                (try? nodeA.engine.subscription(name)) == created.first && (try? nodeB.engine.subscription(name)) == created.first
            }
            XCTAssertTrue(agreed, "round \(round): both nodes keep the winner")
        }
        await nodeB.close()
        await nodeA.close()
    }

    private static func outcome(_ body: () async throws -> Subscription) async -> Result<Subscription, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    func testADeadLetterWrittenOnOneNodeIsListedAndReplayedThroughTheOther() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        try sink.setMode(.reject)
        let nodeA = try await SharedDeliveryNode.start("a", natsURL: nats.url, directory: directory.path)
        _ = try await nodeA.engine.create(SharedDeliveryNode.subscription("sink", url: sink.url(path: "/hook")))
        let aHoldsAll = await eventually(timeout: .seconds(5)) { nodeA.held.count == SharedDeliveryNode.partitions }
        XCTAssertTrue(aHoldsAll)
        let nodeB = try await SharedDeliveryNode.start("b", natsURL: nats.url, directory: directory.path)
        let ids = try await nodeB.publish("dead", count: 3)

        let listedOnB = await eventually(timeout: .seconds(10)) {
            nodeB.engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).total == ids.count
        }
        XCTAssertTrue(listedOnB, "A's dead letters are listed through B")
        let entries = nodeB.engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).entries
        XCTAssertEqual(Set(entries.map(\.eventID)), Set(ids))
        let full = try await nodeB.engine.deadLetter(try XCTUnwrap(entries.first).id)
        XCTAssertFalse(full.attempts.isEmpty, "B reads the full record, attempts included")

        try sink.setMode(.accept)
        sink.reset()
        let report = try await nodeB.engine.replay(ids: entries.map(\.id), filter: nil, dryRun: false, force: false)
        XCTAssertEqual(report.count(.replayed), ids.count)
        let replayed = await sink.waitForDistinctWebhookIDs(count: ids.count, timeout: .seconds(10))
        XCTAssertTrue(replayed, "the partitions' holders delivered B's replay: \(sink.distinctWebhookIDs)")
        XCTAssertEqual(sink.distinctWebhookIDs, Set(ids), "with the original event ids")
        let settledEverywhere = await eventually(timeout: .seconds(5)) {
            nodeA.engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).total == 0
                && nodeB.engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).total == 0
        }
        XCTAssertTrue(settledEverywhere, "the entries left the DLQ on both nodes")
        await nodeB.close()
        await nodeA.close()
    }
}
