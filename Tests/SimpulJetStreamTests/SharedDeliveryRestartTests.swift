import Foundation
import Logging
@testable import SimpulBus
import SimpulAPI
import SimpulDelivery
import SimpulJetStream
import SimpulLog
import SimpulMapping
import SimpulTestSupport
import XCTest

/// Goal (issue 8; found by the bus behaviour suite on JetStream, one run in five): with
/// shared delivery a worker restarts when its node gains a partition lease. Before the fix
/// the old worker already took the partition as soon as the lease was held, sent its first
/// events, and was stopped mid-attempt ~50 ms later: the answers were dropped, the new
/// worker sent the events again, and the counters started over. And a DLQ replay asked
/// while a worker restarted was refused as "subscription no longer exists". Here the
/// leases are the test's, so that the moment between gaining a lease and the restart can
/// be held open; the journals are a real nats-server's.
final class SharedDeliveryRestartTests: XCTestCase {
    private static let topic = "city.population.person"
    private static let lease = SharedDelivery.leaseName(subscription: "sink", topic: topic, partition: 0)
    private var directory: TemporaryDirectory!
    private var nats: NATSServerProcess!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("shared-restart")
        nats = try NATSServerProcess(storeDirectory: directory.path + "/nats")
    }

    override func tearDown() {
        nats?.stop()
        directory?.remove()
    }

    func testAPartitionGainedLaterIsDeliveredOnlyByTheRestartedWorker() async throws {
        try await assertGainedPartitionIsLeftToTheRestart(topicExistsFirst: true)
    }

    /// The same for a topic created after the subscription (its leases come later too).
    func testATopicCreatedLaterIsDeliveredOnlyByTheRestartedWorker() async throws {
        try await assertGainedPartitionIsLeftToTheRestart(topicExistsFirst: false)
    }

    private func assertGainedPartitionIsLeftToTheRestart(topicExistsFirst: Bool) async throws {
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        let leases = ControlledLeases()
        let node = try await RestartTestNode.start(natsURL: nats.url, directory: directory.path, leases: leases,
                                                   createTopic: topicExistsFirst)
        _ = try await node.engine.create(SharedDeliveryNode.subscription("sink", url: sink.url(path: "/hook"), delaysMs: [0, 100]))
        try await Task.sleep(for: .milliseconds(200))  // the worker has looked: no lease (or no topic) yet
        if !topicExistsFirst { try await node.store.createTopic(try TopicName(Self.topic), partitions: 1) }
        let ids = try await node.publish(["evt-1", "evt-2", "evt-3"])

        leases.grant(Self.lease)  // held now; the engine hears of it only on `announce`
        try await Task.sleep(for: .milliseconds(1500))  // more than the worker's 1 s idle wake-up
        XCTAssertEqual(sink.requestCount, 0, "the worker about to be restarted sent nothing")

        leases.announce(.acquired(Self.lease))
        let delivered = await sink.waitForDistinctWebhookIDs(count: ids.count, timeout: .seconds(10))
        XCTAssertTrue(delivered, "delivered: \(sink.distinctWebhookIDs.sorted())")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(sink.requestsPerWebhookID, Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) }), "each once")
        let state = await node.engine.state("sink")
        XCTAssertEqual(state["delivered"]?.intValue, 3, "\(state)")
        await node.close()
    }

    func testAReplayAskedWhileTheWorkerRestartsIsDelivered() async throws {
        let sink = try DeliverySink()
        defer { sink.shutdown() }
        try sink.setMode(.respond(status: 410))
        let leases = ControlledLeases()
        let node = try await RestartTestNode.start(natsURL: nats.url, directory: directory.path, leases: leases)
        _ = try await node.engine.create(SharedDeliveryNode.subscription("sink", url: sink.url(path: "/hook"), delaysMs: [0, 100]))
        leases.grant(Self.lease)
        leases.announce(.acquired(Self.lease))
        let id = try await node.publish(["evt-gone"])[0]
        var entry: DeadLetter?
        let dead = await eventually(timeout: .seconds(10)) {
            entry = node.engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).entries.first
            return entry != nil
        }
        XCTAssertTrue(dead, "dead-lettered after the 410")
        let deadLetter = try XCTUnwrap(entry)

        try sink.setMode(.accept)
        await node.engine.stopWorkerAsARestartDoes("sink")
        let report = try await node.engine.replay(ids: [deadLetter.id], filter: nil, dryRun: false, force: false)
        XCTAssertEqual(report.results.map { $0.result }, [.replayed], "\(report.results)")
        try await Task.sleep(for: .milliseconds(300))  // every node's view holds the replay
        await node.engine.startWorkerAsARestartDoes("sink")
        let redelivered = await sink.waitUntil(timeout: .seconds(10)) { $0.requestsPerWebhookID[id] == 2 }
        XCTAssertTrue(redelivered, "requests: \(sink.requestsPerWebhookID)")
        await node.close()
    }
}

/// A bus on the nats-server with its delivery journals there and the test's leases.
private struct RestartTestNode {
    let bus: Bus
    let store: JetStreamLogStore
    let journals: JetStreamSharedDelivery
    let engine: DeliveryEngine
    let sender: CurlMultiSender

    static func start(natsURL: String, directory: String, leases: ControlledLeases,
                      createTopic: Bool = true) async throws -> RestartTestNode {
        let settings = JetStreamSettings(servers: [natsURL], replicas: 1, acceptDataLossRisk: true, requestTimeoutMs: 2000)
        let store = try await JetStreamLogStore(settings: settings)
        if createTopic { try await store.createTopic(try TopicName("city.population.person"), partitions: 1) }
        var busSettings = BusSettings(dataDirectory: directory + "/node", adaptersDirectory: RepositoryPaths.adapters)
        busSettings.log.freeBytesFloor = 0
        let bus = try await Bus.open(busSettings, topicsIn: store)
        let journals = try await JetStreamSharedDelivery(settings: settings, holder: "restart-test")
        var delivery = DeliverySettings()
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        let sender = try CurlMultiSender()
        var logger = Logger(label: "test.restart")
        logger.logLevel = .warning
        let shared = SharedDelivery(journal: journals.delivery.journal, leases: leases, scanInterval: .milliseconds(200))
        let engine = try await bus.startDelivery(sender: sender, settings: delivery, logger: logger, shared: shared)
        return RestartTestNode(bus: bus, store: store, journals: journals, engine: engine, sender: sender)
    }

    func publish(_ ids: [String]) async throws -> [String] {
        let records = ids.map { id in
            AppendRecord(key: Array(id.utf8), value: JSONWriter.write(.object([
                ("specversion", .string("1.0")), ("id", .string(id)), ("source", .string("test")),
                ("type", .string("city.population.person.upserted")), ("data", .object([("n", .int(1))])),
            ])))
        }
        _ = try await store.append(records, topic: try TopicName("city.population.person"), partition: 0)
        return ids
    }

    func close() async {
        await bus.close()
        await journals.close()
        sender.shutdown()
    }
}

/// Leases handed out by the test: `grant` makes `holds` true at once, `announce` tells the
/// engine (what the lease keeper does a moment after it acquired one).
private final class ControlledLeases: DeliveryLeases {
    let changes: AsyncStream<DeliveryLeaseChange>
    private let continuation: AsyncStream<DeliveryLeaseChange>.Continuation
    private let held = Locked<Set<String>>([])

    init() {
        let stream = AsyncStream.makeStream(of: DeliveryLeaseChange.self)
        changes = stream.stream
        continuation = stream.continuation
    }

    func grant(_ name: String) { _ = held.withLock { $0.insert(name) } }
    func announce(_ change: DeliveryLeaseChange) { continuation.yield(change) }

    func want(_ names: Set<String>) {}
    func holds(_ name: String) -> Bool { held.withLock { $0.contains(name) } }
    func start() {}
    func handOver(_ names: Set<String>) { held.withLock { $0.subtract(names) } }
    func stop(releasing: Bool) async { continuation.finish() }
}

extension DeliveryEngine {
    /// The first half of a worker restart (`restartWorker` in DeliveryEngine+Sharing.swift):
    /// the worker stops, and the subscription has none until `startWorkerAsARestartDoes`.
    func stopWorkerAsARestartDoes(_ name: String) async {
        guard let (worker, task) = workers.removeValue(forKey: name) else { return }
        await worker.stop()
        await task.value
        await worker.drain()
    }

    func startWorkerAsARestartDoes(_ name: String) {
        if let subscription = store.subscription(name) { startWorker(subscription) }
    }
}
