import Foundation
import Logging
import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulMapping
import SimpulTestSupport

/// The Simpul figures of `simpul-bench deliver`: the whole engine (durable cursor, signing
/// each attempt, the pending and attempt journals) from the embedded log to the same sink
/// as the ceilings.
extension DeliverBench {
    static let simpulEvents = Int(ProcessInfo.processInfo.environment["SIMPUL_BENCH_DELIVER_EVENTS"] ?? "") ?? 60_000
    static let topic = "bench.deliver"

    /// Events/s delivered (a backlog of `simpulEvents` released at once), and
    /// publish-to-delivered p50/p99 at half that rate.
    static func simpulFigures(sink: DeliverySink, root: String, ceilings: Ceilings, json: Bool) throws {
        let rate = try blocking { try await deliveredRate(sink: sink, root: root + "/rate") }
        ceilings.printAgainstBoth(name: "deliver.events_delivered", value: rate, unit: "events/s", json: json)
        let (p50, p99) = try blocking { try await latencyAtRate(rate / 2, sink: sink, root: root + "/latency") }
        BenchResult(name: "deliver.latency_p50_half_load", value: p50, unit: "ms").print(json: json)
        BenchResult(name: "deliver.latency_p99_half_load", value: p99, unit: "ms").print(json: json)
    }

    /// A bus on `root` with one subscription to the sink; `paused` holds delivery back.
    private static func openBus(root: String, sink: DeliverySink, paused: Bool) async throws -> (Bus, CurlMultiSender) {
        var settings = BusSettings(dataDirectory: root, adaptersDirectory: FileManager.default.currentDirectoryPath + "/adapters")
        settings.log.freeBytesFloor = 0
        let bus = try Bus.open(settings)
        try bus.log.createTopic(try TopicName(topic))
        let sender = try CurlMultiSender()
        var delivery = DeliverySettings()
        delivery.addressPolicy = AddressPolicy(allowPrivateNetworks: true)
        var logger = Logger(label: "simpul.bench")
        logger.logLevel = .error
        let engine = try await bus.startDelivery(sender: sender, settings: delivery, logger: logger)
        _ = try await engine.create(.object([
            ("name", .string("bench")), ("topics", .array([.string(topic)])), ("url", .string(sink.url(path: "/hooks"))),
            ("maxInFlight", .int(64)), ("paused", .bool(paused)),
        ]))
        return (bus, sender)
    }

    /// 1 KiB events with ids `prefix-N`, as the publish path appends them (key = event id).
    private static func records(prefix: String, range: Range<Int>) -> [AppendRecord] {
        let template = eventBody()
        let text = String(decoding: template, as: UTF8.self)
        return range.map { index in
            let id = "\(prefix)-\(index)"
            let body = text.replacingOccurrences(of: "01JD5Q0000BENCH0000000000", with: id)
            return AppendRecord(key: Array(id.utf8), value: Array(body.utf8))
        }
    }

    private static func deliveredRate(sink: DeliverySink, root: String) async throws -> Double {
        sink.reset()
        let (bus, sender) = try await openBus(root: root, sink: sink, paused: true)
        let partition = try bus.log.partition(try TopicName(topic), 0)
        for start in stride(from: 0, to: simpulEvents, by: 1000) {
            _ = try await partition.append(records(prefix: "rate", range: start..<min(start + 1000, simpulEvents)))
        }
        let engine = try await bus.startDelivery(sender: sender)
        let begin = ContinuousClock.now
        _ = try await engine.setPaused("bench", false)
        guard await sink.waitForDistinctWebhookIDs(count: simpulEvents, timeout: .seconds(300)) else {
            throw BenchError("only \(sink.distinctWebhookIDCount) of \(simpulEvents) events arrived")
        }
        let elapsed = ContinuousClock.now - begin
        await bus.close()
        sender.shutdown()
        return Double(simpulEvents) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private static func latencyAtRate(_ rate: Double, sink: DeliverySink, root: String) async throws -> (Double, Double) {
        sink.reset()
        let (bus, sender) = try await openBus(root: root, sink: sink, paused: false)
        let partition = try bus.log.partition(try TopicName(topic), 0)
        let perTick = max(1, Int(rate / 1000))  // one append per millisecond
        let ticks = 3000
        var published: [String: ContinuousClock.Instant] = [:]
        let start = ContinuousClock.now
        for tick in 0..<ticks {
            let batch = records(prefix: "lat", range: (tick * perTick)..<((tick + 1) * perTick))
            let now = ContinuousClock.now
            for record in batch { published[String(decoding: record.key, as: UTF8.self)] = now }
            _ = try await partition.append(batch)
            let next = start + .milliseconds(tick + 1)
            if next > ContinuousClock.now { try await Task.sleep(until: next) }
        }
        guard await sink.waitForDistinctWebhookIDs(count: published.count, timeout: .seconds(120)) else {
            throw BenchError("only \(sink.distinctWebhookIDCount) of \(published.count) paced events arrived")
        }
        let arrivals = sink.firstArrivals
        let latencies = published.compactMap { id, sent in arrivals[id].map { sent.duration(to: $0) } }
            .map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        await bus.close()
        sender.shutdown()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }
}
