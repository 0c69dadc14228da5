import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul dlq replay ID…` or `simpul dlq replay --subscription S [--since] [--until]
/// [--status]`: puts dead-lettered events back on their way, same event id, fresh retries.
///
/// A filter is first resolved to entry ids (`GET /v1/dlq`), so the admin confirms the exact
/// set that is replayed; ids then go to the server in chunks, which keeps every call short
/// and lets the progress bar move.
struct DLQReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Replay dead-lettered deliveries by id, or every one matching a filter.",
        discussion: """
            Above \(confirmationThreshold) events it asks for confirmation unless --yes (with no terminal it stops \
            with exit 2). Entries already replaying or delivered are skipped unless --force. Exit 0 when nothing \
            failed, 1 when some entries could not be replayed.
            """)

    static let confirmationThreshold = 100
    /// Ids per replay call.
    static let chunkSize = 500

    @Argument(help: "DLQ entry ids (dlq_…); or give a filter instead.")
    var ids: [String] = []

    @OptionGroup var filter: DLQFilterOptions

    @Flag(name: .long, help: "Show what would be replayed; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Replay without asking, however many events match.")
    var yes = false

    @Flag(name: .long, help: "Replay entries that are already replaying or delivered too.")
    var force = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if ids.isEmpty && filter.subscription == nil {
            throw ValidationError("give DLQ entry ids, or --subscription NAME (with --since, --until, --status to narrow it)")
        }
        if !ids.isEmpty && !filter.isEmpty {
            throw ValidationError("give either entry ids or a filter (--subscription, --since, --until, --status), not both")
        }
    }

    func run() throws {
        let client = try connection.client()
        var targets = ids
        if targets.isEmpty {
            let listing = Progress(label: "finding", enabled: !options.json)
            targets = try DLQPages(client: client, query: filter.query() + [("state", force ? "all" : "dead")])
                .every { found, total in listing.update(done: found, total: Int(total)) }.entries
                .compactMap { $0["id"]?.stringValue }
            listing.finish()
        }
        if targets.isEmpty {
            if options.json { return options.output.print(json: ReplaySummary(dryRun: dryRun).json) }
            print("nothing to replay: no dead-lettered entries match")
            return
        }
        if !dryRun && !yes && targets.count > Self.confirmationThreshold {
            try Confirmation.ask("Replay \(Numbers.grouped(Int64(targets.count))) dead-lettered events"
                                 + (filter.subscription.map { " of subscription \($0)" } ?? "") + "?", flag: "--yes")
        }
        var summary = ReplaySummary(dryRun: dryRun)
        let progress = Progress(label: dryRun ? "checking" : "replaying", enabled: !options.json)
        for start in stride(from: 0, to: targets.count, by: Self.chunkSize) {
            let chunk = Array(targets[start..<min(start + Self.chunkSize, targets.count)])
            let answer = try client.json(.post, "/v1/dlq/replay", body: .members([
                ("ids", .array(chunk.map { .string($0) })), ("dryRun", .bool(dryRun)), ("force", .bool(force)),
            ]))
            summary.add(answer)
            progress.update(done: min(start + Self.chunkSize, targets.count), total: targets.count, counts: summary.counts)
        }
        progress.finish()
        if options.json { options.output.print(json: summary.json) } else { print(summary.render(output: options.output)) }
        if summary.failed > 0 { throw ExitCode(.failed) }
    }
}

/// Counts and per-entry results over every chunk of one replay.
struct ReplaySummary {
    var dryRun: Bool
    var matched: Int64 = 0
    var replayed: Int64 = 0
    var skipped: Int64 = 0
    var failed: Int64 = 0
    /// Entries not replayed, with the server's reason.
    var notReplayed: [JSONValue] = []

    mutating func add(_ answer: JSONValue) {
        matched += answer["matched"]?.int ?? 0
        replayed += answer["replayed"]?.int ?? 0
        skipped += answer["skipped"]?.int ?? 0
        failed += answer["failed"]?.int ?? 0
        notReplayed += (answer["results"]?.array ?? []).filter { $0["result"]?.stringValue != "replayed" }
    }

    var counts: String {
        let verb = dryRun ? "would replay" : "replayed"
        return "\(verb) \(Numbers.grouped(replayed)), skipped \(Numbers.grouped(skipped)), failed \(Numbers.grouped(failed))"
    }

    var json: JSONValue {
        .members([("dryRun", .bool(dryRun)), ("matched", .integer(matched)), ("replayed", .integer(replayed)),
                  ("skipped", .integer(skipped)), ("failed", .integer(failed)), ("notReplayed", .array(notReplayed))])
    }

    /// Listed entries, then the summary line.
    func render(output: Output, listedMax: Int = 20) -> String {
        var lines: [String] = []
        if !notReplayed.isEmpty {
            var table = Table(["ID", "RESULT", "REASON"])
            for result in notReplayed.prefix(listedMax) {
                table.add([.init(result.text("id")), .init(result.text("result"), result["result"]?.stringValue == "failed" ? .red : .yellow),
                           .init(result.text("reason"))])
            }
            lines.append(table.render(colour: output.colour))
            if notReplayed.count > listedMax { lines.append("… and \(notReplayed.count - listedMax) more (--json lists them all)") }
        }
        lines.append((dryRun ? "dry run, nothing changed: " : "") + counts)
        return lines.joined(separator: "\n")
    }
}
