/// The delivery part of `/metrics` (Prometheus text format): per subscription delivered,
/// failed, retried, DLQ size, lag, oldest undelivered age, breaker state and the attempt
/// latency histogram.
public enum DeliveryMetrics {
    public static func text(_ engine: DeliveryEngine) async -> String {
        let snapshots = await engine.snapshots()
        let dlq = engine.deadLetterCounts()
        var text = ""
        func family(_ name: String, _ type: String, _ value: (String, DeliverySnapshot) -> String) {
            text += "# TYPE \(name) \(type)\n"
            for (subscription, snapshot) in snapshots {
                text += "\(name){subscription=\"\(subscription.name)\"} \(value(subscription.name, snapshot))\n"
            }
        }
        family("simpul_delivery_delivered_total", "counter") { "\($1.counters.delivered)" }
        family("simpul_delivery_failed_total", "counter") { "\($1.counters.failed)" }
        family("simpul_delivery_retried_total", "counter") { "\($1.counters.retried)" }
        family("simpul_delivery_dlq_entries", "gauge") { name, _ in "\(dlq[name] ?? 0)" }
        family("simpul_delivery_lag_events", "gauge") { "\($1.lag)" }
        family("simpul_delivery_in_flight", "gauge") { "\($1.inFlight)" }
        family("simpul_delivery_oldest_undelivered_age_seconds", "gauge") {
            "\(Double($1.oldestUndeliveredAgeMs ?? 0) / 1000)"
        }
        family("simpul_delivery_breaker_open", "gauge") { $1.breaker == .closed ? "0" : "1" }
        text += "# TYPE simpul_delivery_attempt_latency_ms histogram\n"
        for (subscription, snapshot) in snapshots {
            let label = "subscription=\"\(subscription.name)\""
            var cumulative = 0
            for (index, bound) in DeliveryCounters.latencyBucketsMs.enumerated() {
                cumulative += snapshot.counters.latencyBuckets[index]
                text += "simpul_delivery_attempt_latency_ms_bucket{\(label),le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "simpul_delivery_attempt_latency_ms_bucket{\(label),le=\"+Inf\"} \(snapshot.counters.latencyCount)\n"
            text += "simpul_delivery_attempt_latency_ms_sum{\(label)} \(snapshot.counters.latencySumMs)\n"
            text += "simpul_delivery_attempt_latency_ms_count{\(label)} \(snapshot.counters.latencyCount)\n"
        }
        return text
    }
}
