import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul topics tail TOPIC`: the last events of a topic, from an offset or a time, and
/// with `--follow` every new one as it arrives (long-polling the API).
struct TopicsTailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Show a topic's events: the last few, from an offset or a time, or follow new ones.",
        discussion: """
            One line per event: offset (partition:offset when the topic has several partitions), time, \
            type, subject and id. With --json, one JSON object per line: {"partition":…,"offset":…,"event":{…}}. \
            --since compares the events' `time`, which follows publish order for records from adapters.
            """)

    /// The long poll asked of the server (its maximum is 30 s).
    static let followWaitSeconds = 25
    static let pageSize = 1000

    @Argument(help: "The topic, e.g. city.population.person.")
    var topic: String

    @Option(name: .long, help: ArgumentHelp("Start at this offset.", valueName: "offset"))
    var from: Int64?

    @Option(name: .long, help: ArgumentHelp("Start at the first event at or after this time (ISO 8601 or 30m, 2h, 1d).", valueName: "time"))
    var since: String?

    @Option(name: [.customShort("n"), .long], help: "Without --from or --since: how many of the last events to show.")
    var lines = 10

    @Option(name: .long, help: "Read only this partition (default: every partition).")
    var partition: Int?

    @Flag(name: [.customShort("f"), .long], help: "Keep waiting for new events until interrupted (Ctrl-C).")
    var follow = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if from != nil && since != nil { throw ValidationError("give --from or --since, not both") }
        if let from, from < 0 { throw ValidationError("--from must be an offset, 0 or more") }
        if lines < 0 { throw ValidationError("--lines must be 0 or more") }
        if let partition, partition < 0 { throw ValidationError("--partition must be 0 or more") }
        if let since {
            do { _ = try TimeText.parse(since) } catch { throw ValidationError(error.message) }
        }
    }

    func run() throws {
        let sinceDate = try since.map { (text: String) throws(CLIError) in try TimeText.parse(text) }
        let client = try connection.client()
        let topics = try client.json(.get, "/v1/topics")["topics"]?.array ?? []
        guard let entry = topics.first(where: { $0["name"]?.stringValue == topic }) else {
            throw CLIError("no topic named \"\(topic)\"; `simpul topics list` shows the topics")
        }
        var partitions = (entry["partitions"]?.array ?? []).compactMap { value -> (index: Int, start: Int64, end: Int64)? in
            guard let index = value["partition"]?.int, let start = value["startOffset"]?.int, let end = value["endOffset"]?.int else { return nil }
            return (Int(index), start, end)
        }
        if let partition {
            partitions = partitions.filter { $0.index == partition }
            guard !partitions.isEmpty else { throw CLIError("topic \"\(topic)\" has no partition \(partition)") }
        }
        let reader = TopicReader(client: client, topic: topic, printer: EventPrinter(
            output: options.output, showPartition: partitions.count > 1 || partition != nil && partition != 0, since: sinceDate))
        var positions: [(index: Int, next: Int64)] = []
        for partition in partitions {
            let start: Int64
            if let from { start = max(from, partition.start) }
            else if let sinceDate { start = try reader.firstOffset(partition: partition.index, atOrAfter: sinceDate, in: partition.start..<partition.end) }
            else { start = max(partition.start, partition.end - Int64(lines)) }
            positions.append((partition.index, try reader.printRange(partition: partition.index, from: start, to: partition.end)))
        }
        guard follow else { return }
        let wait = positions.count == 1 ? Self.followWaitSeconds : 1
        while true {
            for index in positions.indices {
                positions[index].next = try reader.printPage(partition: positions[index].index, from: positions[index].next, waitSeconds: wait)
            }
        }
    }
}

/// Pages through a topic's events through the API.
struct TopicReader {
    let client: AdminClient
    let topic: String
    let printer: EventPrinter

    private var path: String { "/v1/topics/\(QueryString.segment(topic))/events" }

    private func page(partition: Int, from offset: Int64, limit: Int, waitSeconds: Int = 0) throws(CLIError) -> JSONValue {
        try client.json(.get, path, query: [("partition", String(partition)), ("from", String(offset)), ("limit", String(limit)),
                                            ("wait", waitSeconds > 0 ? String(waitSeconds) : nil)],
                        timeout: AdminClient.timeout + .seconds(waitSeconds))
    }

    /// Prints `from..<end`; returns where the next read starts.
    func printRange(partition: Int, from start: Int64, to end: Int64) throws(CLIError) -> Int64 {
        var next = start
        while next < end {
            let answer = try page(partition: partition, from: next, limit: min(TopicsTailCommand.pageSize, Int(end - next)))
            let records = answer["records"]?.array ?? []
            printer.print(records, partition: partition)
            guard let after = answer["nextOffset"]?.int, after > next, !records.isEmpty else { break }
            next = after
        }
        return next
    }

    /// One long poll: prints what arrived and returns where the next read starts.
    func printPage(partition: Int, from offset: Int64, waitSeconds: Int) throws(CLIError) -> Int64 {
        let answer = try page(partition: partition, from: offset, limit: TopicsTailCommand.pageSize, waitSeconds: waitSeconds)
        printer.print(answer["records"]?.array ?? [], partition: partition)
        return max(offset, answer["nextOffset"]?.int ?? offset)
    }

    /// The first offset whose event `time` is at or after `date` (binary search, one event per probe).
    func firstOffset(partition: Int, atOrAfter date: Date, in range: Range<Int64>) throws(CLIError) -> Int64 {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = low + (high - low) / 2
            let record = try page(partition: partition, from: middle, limit: 1)["records"]?.array.first
            let time = record?["event"]?["time"]?.stringValue.flatMap { TimeText.parseISO($0, timeZone: TimeZone(identifier: "UTC") ?? .current) }
            if let time, time < date { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// One line per event, flushed at once so a pipe (`| grep`) sees events as they come.
struct EventPrinter {
    let output: Output
    let showPartition: Bool
    let since: Date?

    func print(_ records: [JSONValue], partition: Int) {
        for record in records {
            let event = record["event"] ?? .null
            if let since, let time = event["time"]?.stringValue.flatMap({ TimeText.parseISO($0, timeZone: TimeZone(identifier: "UTC") ?? .current) }),
               time < since { continue }
            let offset = record["offset"]?.int ?? -1
            if output.json {
                output.print(json: .members([("partition", .integer(partition)), ("offset", .integer(offset)), ("event", event)]))
            } else {
                let position = showPartition ? "\(partition):\(offset)" : String(offset)
                Swift.print([position, output.time(event["time"]?.stringValue), event.text("type"), event.text("subject"),
                             event.text("id")].joined(separator: "  "))
            }
        }
        fflush(nil)  // every stream: nil avoids touching the C global `stdout`
    }
}
