import Foundation
import Logging
import SimpulAPI
import SimpulBus
import SimpulDelivery
import SimpulJetStream
import SimpulLog
import SimpulMapping
import SimpulTestSupport
import XCTest

/// One Simpul node in a test: a bus with its own data directory, its topics on the
/// nats-server at `url`, delivery shared through `JetStreamSharedDelivery` (short lease
/// ttl so that a takeover fits in a test).
struct SharedDeliveryNode {
    static let topic = "city.population.person"
    static let partitions = 4
    static let leaseTtl: Duration = .seconds(2)

    let name: String
    let bus: Bus
    let store: JetStreamLogStore
    let shared: JetStreamSharedDelivery
    let engine: DeliveryEngine
    let sender: CurlMultiSender

    static func settings(_ natsURL: String) -> JetStreamSettings {
        JetStreamSettings(servers: [natsURL], replicas: 1, acceptDataLossRisk: true, requestTimeoutMs: 2000)
    }

    static func start(_ name: String, natsURL: String, directory: String) async throws -> SharedDeliveryNode {
        let settings = settings(natsURL)
        let store = try await JetStreamLogStore(settings: settings)
        try await store.createTopic(try TopicName(topic), partitions: partitions)
        var busSettings = BusSettings(dataDirectory: directory + "/" + name, adaptersDirectory: RepositoryPaths.adapters)
        busSettings.log.freeBytesFloor = 0
        let bus = try await Bus.open(busSettings, topicsIn: store)
        let shared = try await JetStreamSharedDelivery(
            settings: settings, holder: "\(name)-\(UUID().uuidString.prefix(8))", leaseTtl: leaseTtl,
            renewEvery: .milliseconds(500), scanInterval: .milliseconds(200))
        var delivery = DeliverySettings()
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        let sender = try CurlMultiSender()
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .warning
        let engine = try await bus.startDelivery(sender: sender, settings: delivery, logger: logger, shared: shared.delivery)
        return SharedDeliveryNode(name: name, bus: bus, store: store, shared: shared, engine: engine, sender: sender)
    }

    /// Appends `count` events through this node's connection, spread over the partitions.
    func publish(_ prefix: String, count: Int) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let id = "\(prefix)-\(index)"
            let event = JSONValue.object([
                ("specversion", .string("1.0")), ("id", .string(id)), ("source", .string("test")),
                ("type", .string("city.population.person.upserted")), ("partitionkey", .string("key-\(index)")),
                ("data", .object([("n", .int(index))])),
            ])
            _ = try await store.append([AppendRecord(key: Array(id.utf8), value: JSONWriter.write(event))],
                                       topic: try TopicName(Self.topic), partition: index % Self.partitions)
            ids.append(id)
        }
        return ids
    }

    var held: Set<String> { shared.keeper.heldNames }

    /// A clean stop: workers drain, leases are given up, connections close.
    func close() async {
        await bus.close()
        await shared.close()
        sender.shutdown()
    }

    static func subscription(_ name: String, url: String, delaysMs: [Int] = [0, 20], ordering: String? = nil) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("name", .string(name)), ("topics", .array([.string(topic)])), ("url", .string(url)),
            ("retry", .object(JSONObject([("delaysMs", .array(delaysMs.map { .int($0) }))]))),
        ]
        if let ordering { fields.append(("ordering", .string(ordering))) }
        return .object(JSONObject(fields))
    }
}
