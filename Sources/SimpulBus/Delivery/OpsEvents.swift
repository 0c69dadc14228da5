import Foundation
import Logging
import SimpulLog
import SimpulMapping

/// Operational events (a dead letter, a breaker opening or closing, a subscription
/// paused, an agreement expired), published as CloudEvents on the topic `simpul.ops` so an
/// admin's own system can subscribe to them like to any other topic.
struct OpsEvents: Sendable {
    static let topic = "simpul.ops"
    let store: any LogStore
    let logger: Logger

    enum Kind: String {
        case deadLettered = "simpul.ops.deadlettered"
        case breakerOpened = "simpul.ops.breakeropened"
        case breakerClosed = "simpul.ops.breakerclosed"
        case subscriptionPaused = "simpul.ops.subscriptionpaused"
        case agreementExpired = "simpul.ops.agreementexpired"
    }

    /// Appends one event; a failure is logged, never thrown (the delivery goes on).
    func emit(_ kind: Kind, subscription: String, data: [(String, JSONValue)]) async {
        let now = currentTimeMs()
        let event = JSONValue.object([
            ("specversion", .string("1.0")), ("id", .string("ops_" + TokenStore.randomHex(bytes: 12))),
            ("source", .string("simpul")), ("type", .string(kind.rawValue)), ("subject", .string(subscription)),
            ("time", .string(Timestamp.rfc3339(milliseconds: now))), ("datacontenttype", .string("application/json")),
            ("partitionkey", .string(subscription)),
            ("data", .object([("subscription", .string(subscription))] + data)),
        ])
        do {
            let name = try TopicName(Self.topic)
            try await store.createTopic(name, partitions: 1)
            _ = try await store.append([AppendRecord(key: Array(subscription.utf8), value: JSONWriter.write(event), timestampMs: now)],
                                       topic: name, partition: 0)
        } catch {
            logger.error("could not publish an operational event", metadata: [
                "type": "\(kind.rawValue)", "subscription": "\(subscription)", "error": "\(error)"])
        }
        logger.notice("\(kind.rawValue)", metadata: ["subscription": "\(subscription)"])
    }
}
