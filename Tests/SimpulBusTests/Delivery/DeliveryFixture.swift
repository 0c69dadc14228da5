import Foundation
import Logging
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// A bus on a temporary directory with delivery through a scripted transport, and a way
/// to put canonical events on a topic.
struct DeliveryFixture {
    static let topic = "city.population.person"
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory("delivery") }

    func openBus(_ transport: any AsyncDeliveryTransport, settings: DeliverySettings = Self.fastSettings) async throws -> Bus {
        var busSettings = BusSettings(dataDirectory: directory.path + "/data", adaptersDirectory: RepositoryPaths.adapters)
        busSettings.log.freeBytesFloor = 0
        let bus = try Bus.open(busSettings)
        try bus.log.createTopic(try TopicName(Self.topic))
        _ = try await bus.startDelivery(sender: transport, settings: settings)
        return bus
    }

    static var fastSettings: DeliverySettings {
        var settings = DeliverySettings()
        settings.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        settings.breaker.threshold = 1_000_000  // the breaker has its own test; here it would only add its cooldowns
        return settings
    }

    /// A subscription body with a short retry schedule (milliseconds, not hours).
    static func subscription(_ name: String, delaysMs: [Int] = [0, 20, 40, 60], ordering: String = "none",
                             extra: [(String, JSONValue)] = []) -> JSONValue {
        var object = JSONObject([("name", .string(name)), ("topics", .array([.string(topic)])),
                                 ("url", .string("http://127.0.0.1:9/hook")), ("ordering", .string(ordering)),
                                 ("retry", .object([("delaysMs", .array(delaysMs.map { .int($0) }))]))])
        for (key, value) in extra { object[key] = value }  // an extra key replaces the default
        return .object(object)
    }

    /// Appends `count` person events; returns their ids in offset order.
    @discardableResult
    static func publish(_ bus: Bus, count: Int, keys: [String] = [], nik: String = "6471010101900001") async throws -> [String] {
        let partition = try bus.log.partition(try TopicName(topic), 0)
        var ids: [String] = []
        var records: [AppendRecord] = []
        for index in 0..<count {
            let id = "evt-\(UUID().uuidString.prefix(12))-\(index)"
            let key = keys.isEmpty ? "key-\(index)" : keys[index % keys.count]
            let event = JSONValue.object([
                ("specversion", .string("1.0")), ("id", .string(id)), ("source", .string("test")),
                ("type", .string("city.population.person.upserted")), ("subject", .string("person/\(nik)")),
                ("partitionkey", .string(key)), ("data", .object([("nik", .string(nik)), ("fullName", .string("Siti"))])),
            ])
            records.append(AppendRecord(key: Array(id.utf8), value: JSONWriter.write(event)))
            ids.append(id)
        }
        _ = try await partition.append(records)
        return ids
    }
}
