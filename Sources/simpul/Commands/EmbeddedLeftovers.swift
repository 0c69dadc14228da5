import Foundation
import SimpulBus
import SimpulLog

/// What the data directory still holds from the embedded log when `simpul serve` runs on
/// JetStream: its topics and subscriptions are not read, delivered or copied there, so an
/// admin who switched backends is told where those events and subscriptions still are.
enum EmbeddedLeftovers {
    /// One warning line, or nil when the data directory holds nothing of the embedded log.
    static func warning(_ bus: Bus) -> String? {
        var events: Int64 = 0
        var topics: [String] = []
        for name in bus.log.topicNames {
            let count = (0..<(bus.log.partitionCount(name) ?? 0)).reduce(Int64(0)) { sum, index in
                guard let partition = try? bus.log.partition(name, index) else { return sum }
                return sum + partition.endOffset - partition.startOffset
            }
            if count > 0 {
                events += count
                topics.append(name.value)
            }
        }
        let subscriptionsJournal = bus.log.journalsDirectory + "/subscriptions"
        let hasSubscriptions = ((try? FileManager.default.contentsOfDirectory(atPath: subscriptionsJournal)) ?? []).isEmpty == false
        guard events > 0 || hasSubscriptions else { return nil }
        var parts: [String] = []
        if events > 0 {
            let listed = topics.prefix(5).joined(separator: ", ") + (topics.count > 5 ? ", …" : "")
            parts.append("\(events) \(events == 1 ? "event" : "events") of the embedded log in \(topics.count) "
                         + "\(topics.count == 1 ? "topic" : "topics") (\(listed))")
        }
        if hasSubscriptions { parts.append("the embedded log's subscriptions (\(subscriptionsJournal))") }
        return "the data directory \(bus.log.directory) holds \(parts.joined(separator: " and ")); on JetStream they are "
            + "not read, delivered or copied: recreate the subscriptions on the cluster and keep this directory until "
            + "its events are no longer needed (deploy/nats/README.md, \"Moving from the embedded log\")"
    }
}
