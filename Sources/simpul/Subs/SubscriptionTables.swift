import SimpulMapping

/// How subscriptions look in tables: the same columns in `subs list`, `subs show` and `stats`.
enum SubscriptionTables {
    static func list(_ subscriptions: [JSONValue], output: Output) -> String {
        var table = Table(["NAME", "TOPICS", "URL", "STATUS", "BREAKER", "DELIVERED", "FAILED", "DLQ", "LAG", "OLDEST"],
                          rightAligned: [5, 6, 7, 8, 9])
        for subscription in subscriptions {
            let state = subscription["state"] ?? .null
            table.add([.init(subscription.text("name")), .init(subscription.text("topics")), .init(subscription.text("url")),
                       status(subscription), breaker(state), .init(state.text("delivered")), .init(state.text("failed")),
                       dlq(state), .init(state.text("lag")), .init(TimeText.duration(milliseconds: state["oldestUndeliveredAgeMs"]?.int))])
        }
        return table.render(colour: output.colour)
    }

    static func stats(_ subscriptions: [JSONValue], output: Output) -> String {
        var table = Table(["SUBSCRIPTION", "DELIVERED", "FAILED", "RETRIED", "DLQ", "LAG", "OLDEST", "BREAKER", "STATUS"],
                          rightAligned: [1, 2, 3, 4, 5, 6])
        for entry in subscriptions {
            table.add([.init(entry.text("name")), .init(entry.text("delivered")), .init(entry.text("failed")),
                       .init(entry.text("retried")), dlq(entry), .init(entry.text("lag")),
                       .init(TimeText.duration(milliseconds: entry["oldestUndeliveredAgeMs"]?.int)), breaker(entry),
                       entry["paused"]?.bool == true ? .init("paused", .yellow) : .init("active")])
        }
        return table.render(colour: output.colour)
    }

    static func detail(_ subscription: JSONValue, output: Output) -> String {
        let state = subscription["state"] ?? .null
        let retry = subscription["retry"] ?? .null
        var fields: [(String, String)] = [
            ("name", subscription.text("name")), ("owner", subscription.text("owner")), ("url", subscription.text("url")),
            ("topics", subscription.text("topics")),
            ("types", subscription["types"]?.array.isEmpty == false ? subscription.text("types") : "every type"),
            ("ordering", subscription.text("ordering")), ("max in flight", subscription.text("maxInFlight")),
            ("timeout", TimeText.duration(milliseconds: subscription["timeoutMs"]?.int)),
            ("retry delays", retry["delaysMs"]?.array.map { TimeText.duration(milliseconds: $0.int) }.joined(separator: ", ") ?? "-"),
            ("status", subscription["paused"]?.bool == true
                ? "paused" + (subscription["pausedReason"]?.stringValue.map { " (\($0))" } ?? "") : "active"),
            ("created", output.time(subscription["createdAt"]?.stringValue)),
        ]
        if let policy = subscription["fieldPolicy"], policy != .null {
            if policy["allow"]?.array.isEmpty == false { fields.append(("fields allowed", policy.text("allow"))) }
            if policy["redact"]?.array.isEmpty == false { fields.append(("fields redacted", policy.text("redact"))) }
            if let agreement = policy["agreement"], agreement != .null {
                fields.append(("agreement", "\(agreement.text("number")) valid until \(agreement.text("validUntil"))"))
            }
        }
        fields += [("breaker", state.text("breaker")), ("delivered", state.text("delivered")), ("failed", state.text("failed")),
                   ("retried", state.text("retried")), ("in DLQ", state.text("dlq")), ("lag", state.text("lag")),
                   ("oldest undelivered", TimeText.duration(milliseconds: state["oldestUndeliveredAgeMs"]?.int))]
        return KeyValueList.render(fields)
    }

    static func status(_ subscription: JSONValue) -> Table.Cell {
        subscription["paused"]?.bool == true ? .init("paused", .yellow) : .init("active", .green)
    }

    static func breaker(_ state: JSONValue) -> Table.Cell {
        let text = state.text("breaker")
        return .init(text, text == "open" ? .red : text == "half-open" ? .yellow : .plain)
    }

    static func dlq(_ state: JSONValue) -> Table.Cell {
        .init(state.text("dlq"), (state["dlq"]?.int ?? 0) > 0 ? .red : .plain)
    }
}
