import Foundation
import SimpulBus
import SimpulJetStream
import SimpulLog
import SimpulMapping
import SimpulTestSupport
import XCTest

/// Goal (issue 8, rebalancing): after a rolling restart every node delivers its share, not
/// one node everything. A node that joins gets half of the partitions from the node holding
/// them all, handed over gracefully (the giver stops, settles, commits, then releases), while
/// events keep flowing: none missing, per key in publish order, never two holders of one
/// partition; a node that stops cleanly hands everything to the other at once (not after
/// the ttl).
final class SharedDeliveryRebalanceTests: XCTestCase {
    static let keys = 8
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("shared-rebalance")
    }

    override func tearDown() { directory?.remove() }

    func testAJoiningNodeGetsItsShareAndACleanStopHandsEverythingOverWhileEventsFlow() async throws {
        let nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        defer { nats.stop() }
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        let nodeA = try await SharedDeliveryNode.start("a", natsURL: nats.url, directory: directory.path)
        _ = try await nodeA.engine.create(SharedDeliveryNode.subscription(
            "fair", url: sink.url(path: "/hook"), ordering: "key"))
        let aHoldsAll = await eventually(timeout: .seconds(5)) { nodeA.held.count == SharedDeliveryNode.partitions }
        XCTAssertTrue(aHoldsAll, "alone, A takes every partition: \(nodeA.held)")

        // A publisher of its own, so that events flow whichever node stops.
        let publisher = try await KeyedPublisher(settings: SharedDeliveryNode.settings(nats.url))
        publisher.start()
        try await Task.sleep(for: .milliseconds(300))

        // B joins: within a bounded time each holds 2 of 4, never one partition on both.
        let joined = ContinuousClock.now
        let nodeB = try await SharedDeliveryNode.start("b", natsURL: nats.url, directory: directory.path)
        var overlap: Set<String> = []
        let split = await eventually(timeout: .seconds(8)) {
            overlap.formUnion(nodeA.held.intersection(nodeB.held))
            return nodeA.held.count == 2 && nodeB.held.count == 2
        }
        let rebalance = ContinuousClock.now - joined
        XCTAssertTrue(split, "A holds \(nodeA.held.count), B \(nodeB.held.count) of 4 after \(rebalance)")
        XCTAssertEqual(overlap, [], "a partition held by both nodes at once")
        XCTAssertEqual(nodeA.held.union(nodeB.held).count, SharedDeliveryNode.partitions)

        // Hysteresis: the split stays as it is (no lease moves back and forth).
        let (heldByA, heldByB) = (nodeA.held, nodeB.held)
        var moved = false
        for _ in 0..<15 {
            try await Task.sleep(for: .milliseconds(100))
            moved = moved || nodeA.held != heldByA || nodeB.held != heldByB
        }
        XCTAssertFalse(moved, "partitions moved again: A \(nodeA.held), B \(nodeB.held)")

        // A stops cleanly: B holds every partition at once, not after the ttl.
        let stopping = ContinuousClock.now
        await nodeA.close()
        let closed = ContinuousClock.now
        let takenOver = await eventually(timeout: .seconds(3)) { nodeB.held.count == SharedDeliveryNode.partitions }
        let handover = ContinuousClock.now - closed
        XCTAssertTrue(takenOver, "B holds \(nodeB.held.count) of 4")
        XCTAssertLessThan(handover, SharedDeliveryNode.leaseTtl, "handed over before A's leases could have expired")

        try await Task.sleep(for: .milliseconds(300))
        let published = await publisher.stop()
        let all = await sink.waitForDistinctWebhookIDs(count: published.count, timeout: .seconds(15))
        let missing = Set(published).subtracting(sink.distinctWebhookIDs)
        XCTAssertTrue(all, "\(missing.count) missing at the sink: \(missing.sorted().prefix(10))")
        XCTAssertEqual(sink.distinctWebhookIDs, Set(published), "every published event, none extra")
        XCTAssertEqual(KeyedPublisher.keysOutOfOrder(published, sink.firstArrivals), [], "per key, first arrivals in publish order")
        let repeated = sink.requestsPerWebhookID.values.reduce(0) { $0 + $1 - 1 }
        print("rebalance: B joined, 2 and 2 of 4 after \(rebalance); A's clean stop took \(closed - stopping), "
              + "B held all \(handover) after it; \(published.count) events, \(sink.requestCount) requests "
              + "(\(repeated) repeated) (ttl \(SharedDeliveryNode.leaseTtl), renew 500 ms)")
        await nodeB.close()
        await publisher.close()
    }
}

/// Publishes events one after another (8 keys, each key always on the same partition)
/// until stopped; remembers the acknowledged ids in publish order.
private final class KeyedPublisher: Sendable {
    private let store: JetStreamLogStore
    private let published = Locked<[String]>([])
    private let task = Locked<Task<Void, Never>?>(nil)

    init(settings: JetStreamSettings) async throws {
        store = try await JetStreamLogStore(settings: settings)
    }

    static func key(_ index: Int) -> Int { index % SharedDeliveryRebalanceTests.keys }
    static func id(_ index: Int) -> String { "e-\(index)" }

    func start() {
        let store = self.store, published = self.published
        task.withLock {
            $0 = Task {
                var index = 0
                while !Task.isCancelled {
                    let key = Self.key(index)
                    let event = JSONValue.object([
                        ("specversion", .string("1.0")), ("id", .string(Self.id(index))), ("source", .string("test")),
                        ("type", .string("city.population.person.upserted")), ("partitionkey", .string("key-\(key)")),
                        ("data", .object([("n", .int(index))])),
                    ])
                    let record = AppendRecord(key: Array(Self.id(index).utf8), value: JSONWriter.write(event))
                    if let topic = try? TopicName(SharedDeliveryNode.topic),
                       (try? await store.append([record], topic: topic, partition: key % SharedDeliveryNode.partitions)) != nil {
                        published.withLock { $0.append(Self.id(index)) }
                        index += 1
                    }
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
        }
    }

    /// Stops publishing; returns every acknowledged id.
    func stop() async -> [String] {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        return published.withLock { $0 }
    }

    func close() async { await store.close() }

    /// Keys whose events' first arrivals are not in publish order.
    static func keysOutOfOrder(_ ids: [String], _ arrivals: [String: ContinuousClock.Instant]) -> [Int] {
        var byKey: [Int: [(index: Int, at: ContinuousClock.Instant)]] = [:]
        for (index, id) in ids.enumerated() {
            guard let at = arrivals[id] else { continue }
            byKey[key(index), default: []].append((index, at))
        }
        return byKey.filter { _, events in
            let order = events.sorted { $0.at < $1.at }.map(\.index)
            return order != order.sorted()
        }.keys.sorted()
    }
}
