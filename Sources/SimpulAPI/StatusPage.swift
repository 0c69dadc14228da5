import Foundation
import SimpulBus
import SimpulLog
import SimpulMapping

/// The admin's status page at `/`: server-rendered HTML, no script, no external asset —
/// sources, topics, subscriptions (lag, breaker, DLQ), the last refusals and failures.
enum StatusPage {
    static func render(bus: Bus) async -> String {
        var html = head("Simpul — status") + "<header><h1>Simpul</h1><p>status at \(escape(Timestamp.rfc3339(Date()))) (UTC) · "
            + "refreshes every 15 s</p><form method=\"post\" action=\"/logout\"><button>Log out</button></form></header>"
        html += section("Sources", ["source", "published", "rejected", "duplicates", "bytes", "last published"],
                        bus.stats.perSource.sorted { $0.key < $1.key }.map { name, counters in
                            [name, "\(counters.published)", "\(counters.rejected)", "\(counters.duplicates)", "\(counters.bytes)",
                             counters.lastPublishedAt ?? "—"]
                        })
        var topicRows: [[String]] = []
        do {
            for partition in try await bus.partitionStates() {
                topicRows.append([partition.topic.value, "\(partition.summary.index)", "\(partition.summary.endOffset)",
                                  "\(partition.summary.sizeBytes)", partition.failure.map { "\($0)" } ?? "ok"])
            }
        } catch {
            topicRows.append(["—", "—", "—", "—", "\(error)"])
        }
        html += section("Topics", ["topic", "partition", "events", "bytes", "state"], topicRows)
        if let engine = bus.delivery {
            var rows: [[String]] = []
            for subscription in engine.subscriptions {
                let state = await engine.state(subscription.name)
                rows.append([subscription.name, subscription.topics.joined(separator: ", "),
                             subscription.paused ? "paused: \(subscription.pausedReason ?? "")" : "active",
                             state["breaker"]?.stringValue ?? "", "\(state["lag"]?.intValue ?? 0)",
                             state["oldestUndeliveredAgeMs"]?.intValue.map { "\($0 / 1000) s" } ?? "—",
                             "\(state["delivered"]?.intValue ?? 0)", "\(state["dlq"]?.intValue ?? 0)"])
            }
            html += section("Subscriptions", ["name", "topics", "state", "breaker", "lag", "oldest undelivered",
                                              "delivered", "DLQ"], rows)
            let dead = engine.deadLetters(DeadLetterFilter(), after: nil, limit: 10).entries
            html += section("Last delivery failures (DLQ)", ["time", "subscription", "event", "last status", "reason"],
                            dead.map { [Timestamp.rfc3339(milliseconds: $0.deadLetteredAtMs), $0.subscription, $0.eventID,
                                        $0.lastStatus.map(String.init) ?? "no answer", $0.reason] })
        }
        let refused = bus.quarantine.list(status: .open, limit: 10)
        html += section("Last refused records (quarantine)", ["time", "source", "record", "reason"],
                        refused.map { [$0.receivedAt, $0.source, "\($0.record)",
                                       $0.errors.first.map { "\($0.code): \($0.message)" } ?? ""] })
        return html + "</body></html>"
    }

    static func login(message: String?) -> String {
        head("Simpul — log in") + "<header><h1>Simpul</h1></header><section><h2>Log in</h2>"
            + (message.map { "<p class=\"error\">\(escape($0))</p>" } ?? "")
            + "<form method=\"post\" action=\"/login\"><label>Admin token <input type=\"password\" name=\"token\" "
            + "autocomplete=\"off\" required></label> <button>Log in</button></form>"
            + "<p>The admin token was printed at first start and kept in the token file (`simpul` reads it from there).</p>"
            + "</section></body></html>"
    }

    private static func head(_ title: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title>"
            + "<meta http-equiv=\"refresh\" content=\"15\"><style>"
            + "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2733}table{border-collapse:collapse;margin-bottom:1.5rem}"
            + "th,td{border:1px solid #c8d0d8;padding:.3rem .6rem;text-align:left}th{background:#eef2f5}"
            + "header{display:flex;gap:1rem;align-items:baseline}.error{color:#a3261b}.empty{color:#66727e}"
            + "</style></head><body>"
    }

    private static func section(_ title: String, _ columns: [String], _ rows: [[String]]) -> String {
        var html = "<section><h2>\(escape(title))</h2>"
        guard !rows.isEmpty else { return html + "<p class=\"empty\">none</p></section>" }
        html += "<table><thead><tr>" + columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table></section>"
    }

    /// Text as HTML: every character that could open markup or an attribute is escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
