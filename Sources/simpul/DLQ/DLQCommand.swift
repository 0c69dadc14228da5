import ArgumentParser
import SimpulMapping

/// `simpul dlq list|show|replay`: deliveries that ran out of attempts.
struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "See deliveries that ran out of attempts, and replay them.",
        subcommands: [DLQListCommand.self, DLQShowCommand.self, DLQReplayCommand.self])

    /// The API's page size limit.
    static let pageSizeMax = 1000
}

/// The filters `dlq list` and `dlq replay` share.
struct DLQFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only entries of this subscription.")
    var subscription: String?

    @Option(name: .long, help: ArgumentHelp("Dead-lettered at or after this time (ISO 8601, or 30m, 2h, 1d ago).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Dead-lettered before this time.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Only entries whose last attempt got this HTTP status, or `none` (no answer: timeout, refused).", valueName: "code"))
    var status: String?

    var isEmpty: Bool { subscription == nil && since == nil && until == nil && status == nil }

    func validate() throws {
        if let status, status != "none", !(Int(status).map { (100...599).contains($0) } ?? false) {
            throw ValidationError("--status must be an HTTP status (100…599) or none")
        }
        for time in [since, until].compactMap({ $0 }) {
            do { _ = try TimeText.parse(time) } catch { throw ValidationError(error.message) }
        }
    }

    /// The filter as API query parameters (times as RFC 3339 UTC).
    func query() throws(CLIError) -> [(String, String?)] {
        [("subscription", subscription),
         ("since", try since.map { (text: String) throws(CLIError) in TimeText.rfc3339(try TimeText.parse(text)) }),
         ("until", try until.map { (text: String) throws(CLIError) in TimeText.rfc3339(try TimeText.parse(text)) }),
         ("status", status)]
    }
}

/// `simpul dlq list`: a page of entries, newest first, or every entry with `--all`.
struct DLQListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead-lettered deliveries, newest first.")

    @OptionGroup var filter: DLQFilterOptions

    @Option(name: .long, help: "dead and replaying (default), or one of dead, replaying, delivered, all.")
    var state: String?

    @Option(name: .long, help: "At most this many entries (1…1000).")
    var limit = 100

    @Option(name: .long, help: ArgumentHelp("Start after this entry id (the `next` of the previous page).", valueName: "id"))
    var after: String?

    @Flag(name: .long, help: "Every matching entry, page after page.")
    var all = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if let state, !["dead", "replaying", "delivered", "all"].contains(state) {
            throw ValidationError("--state must be dead, replaying, delivered or all")
        }
        if !(1...DLQCommand.pageSizeMax).contains(limit) { throw ValidationError("--limit must be between 1 and \(DLQCommand.pageSizeMax)") }
    }

    func run() throws {
        let client = try connection.client()
        let page = try DLQPages(client: client, query: filter.query() + [("state", state)])
        let (entries, total, next) = all ? try page.every() : try page.one(limit: limit, after: after)
        let output = options.output
        if output.json {
            return output.print(json: .members([("entries", .array(entries)), ("total", .integer(total)),
                                                ("next", next.map { .string($0) } ?? .null)]))
        }
        var table = Table(["ID", "SUBSCRIPTION", "DEAD SINCE", "TYPE", "ATTEMPTS", "LAST", "STATE", "ERROR"], rightAligned: [4, 5])
        for entry in entries {
            table.add([.init(entry.text("id")), .init(entry.text("subscription")), .init(output.time(entry["deadLetteredAt"]?.stringValue)),
                       .init(entry.text("type")), .init(entry.text("attemptCount")), .init(entry.text("lastStatus"), .red),
                       .init(entry.text("state"), ["dead": .red, "replaying": .yellow, "delivered": .green][entry.text("state")] ?? .plain),
                       .init(String((entry["lastError"]?.stringValue ?? entry.text("reason")).prefix(80)))])
        }
        output.print(table, empty: "the dead-letter queue is empty" + (filter.isEmpty ? "" : " for this filter"))
        // The API names a cursor whenever a page is full, even when nothing follows it.
        if let next, total > Int64(entries.count) {
            print("\(entries.count) of \(Numbers.grouped(total)) shown; more with --after \(next), or --all")
        } else if !entries.isEmpty {
            print("\(Numbers.grouped(total)) entries")
        }
    }
}

/// Reads `GET /v1/dlq` a page at a time.
struct DLQPages {
    let client: AdminClient
    let query: [(String, String?)]

    func one(limit: Int, after: String?) throws(CLIError) -> (entries: [JSONValue], total: Int64, next: String?) {
        let answer = try client.json(.get, "/v1/dlq", query: query + [("limit", String(limit)), ("after", after)])
        return (answer["entries"]?.array ?? [], answer["total"]?.int ?? 0, answer["next"]?.stringValue)
    }

    /// Every page; `progress` hears the count so far and the total.
    func every(progress: (Int, Int64) -> Void = { _, _ in }) throws(CLIError) -> (entries: [JSONValue], total: Int64, next: String?) {
        var entries: [JSONValue] = []
        var after: String?
        var total: Int64 = 0
        repeat {
            let page = try one(limit: DLQCommand.pageSizeMax, after: after)
            entries += page.entries
            total = page.total
            progress(entries.count, total)
            // A cursor that does not move would loop forever: stop on it.
            guard page.next != after, !page.entries.isEmpty else { break }
            after = page.next
        } while after != nil
        return (entries, total, nil)
    }
}
