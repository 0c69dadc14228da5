import Foundation

/// The table `simpul-bench peers` prints (Markdown, appended to bench/README.md by
/// `bench/peers/run`): each load's rate, durability and concurrency, then the three goals.
enum PeersTable {
    static func markdown(means: [PeerCase: Double], slices: [PeerCase: [Double]]) -> String {
        var lines = [
            "| load | durability (when the ack is sent) | concurrency | events/s | slices |",
            "|---|---|---|---:|---|",
        ]
        for peer in PeerCase.allCases where slices[peer] != nil {
            let rate = means[peer] ?? 0
            let each = (slices[peer] ?? []).map { grouped($0) }.joined(separator: ", ")
            lines.append("| \(title(peer)) | \(durability(peer)) | \(concurrency(peer)) | \(grouped(rate)) | \(each) |")
        }
        lines += [
            "",
            "| goal | Simpul | peer | ratio | goal | met |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for goal in goals where means[goal.simpul] != nil && means[goal.peer] != nil {
            let simpul = means[goal.simpul] ?? 0
            let peer = means[goal.peer] ?? 0
            let ratio = peer > 0 ? simpul / peer : 0
            lines.append("| \(goal.name) | \(grouped(simpul)) | \(grouped(peer)) | \(String(format: "%.2f", ratio)) "
                         + "| ≥ \(goal.minimum) | \(ratio >= goal.minimum ? "yes" : "**no**") |")
        }
        return lines.joined(separator: "\n")
    }

    struct Goal {
        let name: String
        let simpul: PeerCase
        let peer: PeerCase
        let minimum: Double
    }

    static let goals = [
        Goal(name: "Simpul single-event HTTP ingest ÷ JetStream `sync_interval: always`", simpul: .httpSingle,
             peer: .plainJetStreamAlways, minimum: 5),
        Goal(name: "Simpul batch ingest ÷ Redis `appendfsync always` pipelined", simpul: .httpBatch,
             peer: .redisPipelined, minimum: 1.5),
        Goal(name: "Simpul on JetStream ÷ plain JetStream, `sync_interval: always`", simpul: .simpulJetStreamAlways,
             peer: .plainJetStreamAlways, minimum: 0.8),
        Goal(name: "Simpul on JetStream ÷ plain JetStream, default sync", simpul: .simpulJetStreamLazy,
             peer: .plainJetStreamLazy, minimum: 0.8),
    ]

    static func title(_ peer: PeerCase) -> String {
        switch peer {
        case .embeddedAppend: "Simpul embedded, in-process append"
        case .httpSingle: "Simpul embedded, HTTP ingest, single events"
        case .httpBatch: "Simpul embedded, HTTP ingest, batches of 100"
        case .simpulJetStreamLazy: "Simpul on JetStream (`JetStreamLogStore.append`), default sync"
        case .httpJetStreamLazy: "Simpul on JetStream, HTTP ingest, single events, default sync"
        case .plainJetStreamLazy: "plain JetStream publish (libnats), default sync"
        case .headersJetStreamLazy: "JetStream publish (libnats) with Simpul's headers, default sync"
        case .simpulJetStreamAlways: "Simpul on JetStream (`JetStreamLogStore.append`), `sync_interval: always`"
        case .httpJetStreamAlways: "Simpul on JetStream, HTTP ingest, single events, `sync_interval: always`"
        case .plainJetStreamAlways: "plain JetStream publish (libnats), `sync_interval: always`"
        case .redisSingle: "Redis 7 `XADD`, unpipelined"
        case .redisPipelined: "Redis 7 `XADD`, pipelined"
        }
    }

    static func durability(_ peer: PeerCase) -> String {
        switch peer {
        case .embeddedAppend, .httpSingle, .httpBatch: "fdatasync before the ack (group commit)"
        case .simpulJetStreamLazy, .httpJetStreamLazy, .plainJetStreamLazy, .headersJetStreamLazy: "PubAck once in the server's page cache; fsync every 2 min"
        case .simpulJetStreamAlways, .httpJetStreamAlways, .plainJetStreamAlways: "fsync before the PubAck"
        case .redisSingle, .redisPipelined: "AOF fsync before the reply (`appendfsync always`)"
        }
    }

    static func concurrency(_ peer: PeerCase) -> String {
        switch peer {
        case .embeddedAppend, .simpulJetStreamLazy, .simpulJetStreamAlways: "64 appenders"
        case .httpSingle, .httpJetStreamLazy, .httpJetStreamAlways: "wrk, 64 connections"
        case .httpBatch: "wrk, 16 connections × 100 events"
        case .plainJetStreamLazy, .headersJetStreamLazy, .plainJetStreamAlways: "64 publishes in flight"
        case .redisSingle: "64 clients"
        case .redisPipelined: "16 clients × 16 pipelined"
        }
    }

    /// 12345.6 → "12,346".
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }
}
