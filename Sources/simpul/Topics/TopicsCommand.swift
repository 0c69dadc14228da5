import ArgumentParser
import SimpulMapping

/// `simpul topics list|tail`.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "List topics and read their events.",
        subcommands: [TopicsListCommand.self, TopicsTailCommand.self])
}

/// `simpul topics list`: every topic with its partitions' offsets and size.
struct TopicsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the topics with their event counts, offsets and size.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func run() throws {
        let answer = try connection.client().json(.get, "/v1/topics")
        let output = options.output
        if output.json { return output.print(json: answer) }
        var table = Table(["TOPIC", "PARTITIONS", "EVENTS", "FIRST", "NEXT", "SIZE"], rightAligned: [1, 2, 3, 4, 5])
        for topic in answer["topics"]?.array ?? [] {
            let partitions = topic["partitions"]?.array ?? []
            let first = partitions.compactMap { $0["startOffset"]?.int }.min() ?? 0
            let next = partitions.compactMap { $0["endOffset"]?.int }.max() ?? 0
            let events = partitions.reduce(Int64(0)) { $0 + (($1["endOffset"]?.int ?? 0) - ($1["startOffset"]?.int ?? 0)) }
            let bytes = partitions.reduce(Int64(0)) { $0 + ($1["bytes"]?.int ?? 0) }
            table.add([.init(topic.text("name")), .init(String(partitions.count)), .init(Numbers.grouped(events)),
                       .init(String(first)), .init(String(next)), .init(Numbers.bytes(bytes))])
        }
        output.print(table, empty: "no topics yet: publish a record with `simpul publish SOURCE FILE`")
    }
}
