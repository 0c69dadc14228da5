import Foundation
import SimpulBus
import SimpulLog
import SimpulMapping
import SimpulServer

/// `GET /v1/stats`, `GET /metrics` (Prometheus text format) and `GET /readyz`.
enum AdminRoutes {
    static func stats(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        let sources: [JSONValue] = bus.stats.perSource.sorted { $0.key < $1.key }.map { name, counters in
            var members: [(String, JSONValue)] = [
                ("source", .string(name)), ("published", .int(counters.published)), ("rejected", .int(counters.rejected)),
                ("duplicates", .int(counters.duplicates)), ("bytes", .int(counters.bytes)),
            ]
            if let last = counters.lastPublishedAt { members.append(("lastPublishedAt", .string(last))) }
            return .object(members)
        }
        let partitions: [PartitionState]
        do {
            partitions = try await bus.partitionStates()
        } catch {
            return ErrorResponses.response(for: error)
        }
        let topics: [JSONValue] = partitions.map { partition in
            .object([("topic", .string(partition.topic.value)), ("partition", .int(partition.summary.index)),
                     ("lastOffset", .int(partition.summary.endOffset - 1)), ("bytes", .int(partition.summary.sizeBytes))])
        }
        var subscriptions: [JSONValue] = []
        if let engine = bus.delivery {
            for subscription in engine.subscriptions {
                guard case .object(var state) = await engine.state(subscription.name) else { continue }
                state.members.insert(("name", .string(subscription.name)), at: 0)
                state["paused"] = .bool(subscription.paused)
                subscriptions.append(.object(state))
            }
        }
        return .json(status: 200, value: .object([
            ("sources", .array(sources)), ("topics", .array(topics)), ("quarantineOpen", .int(bus.quarantine.openCount)),
            ("subscriptions", .array(subscriptions)), ("tokensFingerprint", .string(bus.tokens.fingerprint)),
        ]))
    }

    static func ready(bus: Bus, probes: Probes) async -> HTTPResponse {
        let problems = await bus.readinessProblems()
        guard problems.isEmpty else {
            return .json(status: 503, value: .object([("ready", .bool(false)), ("problems", .array(problems.map { .string($0) }))]))
        }
        return .json(status: 200, value: .object([("ready", .bool(true))]))
    }

    static func metrics(_ request: HTTPRequest, bus: Bus, probes: Probes) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        var text = ""
        func line(_ name: String, _ labels: String, _ value: some CustomStringConvertible) {
            text += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
        }
        text += "# TYPE simpul_records_published_total counter\n"
        for (source, counters) in bus.stats.perSource.sorted(by: { $0.key < $1.key }) {
            line("simpul_records_published_total", "source=\"\(escape(source))\"", counters.published)
        }
        text += "# TYPE simpul_records_rejected_total counter\n"
        for (source, counters) in bus.stats.perSource.sorted(by: { $0.key < $1.key }) {
            line("simpul_records_rejected_total", "source=\"\(escape(source))\"", counters.rejected)
        }
        text += "# TYPE simpul_validation_errors_total counter\n"
        for (code, count) in bus.stats.perCode.sorted(by: { $0.key < $1.key }) {
            line("simpul_validation_errors_total", "code=\"\(escape(code))\"", count)
        }
        text += "# TYPE simpul_append_latency_ms histogram\n"
        let latency = bus.stats.appendLatency
        var cumulative = 0
        for (index, bound) in BusStats.latencyBucketsMs.enumerated() {
            cumulative += latency.buckets[index]
            line("simpul_append_latency_ms_bucket", "le=\"\(bound)\"", cumulative)
        }
        line("simpul_append_latency_ms_bucket", "le=\"+Inf\"", latency.count)
        line("simpul_append_latency_ms_sum", "", latency.sumMs)
        line("simpul_append_latency_ms_count", "", latency.count)
        text += "# TYPE simpul_log_bytes gauge\n"
        for partition in (try? await bus.partitionStates()) ?? [] {  // none while the cluster is out of reach
            line("simpul_log_bytes", "topic=\"\(partition.topic.value)\",partition=\"\(partition.summary.index)\"",
                 partition.summary.sizeBytes)
        }
        text += "# TYPE simpul_quarantine_open gauge\n"
        line("simpul_quarantine_open", "", bus.quarantine.openCount)
        text += "# TYPE simpul_http_in_flight_requests gauge\n"
        line("simpul_http_in_flight_requests", "", probes.inFlightRequests())
        if let engine = bus.delivery { text += await DeliveryMetrics.text(engine) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Array(text.utf8))
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
