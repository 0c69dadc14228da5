import ArgumentParser
import SimpulMapping

/// `simpul stats`: what flowed in, what is stored, what is waiting, per source, topic and subscription.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Counters per source, topic and subscription since the server started.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func run() throws {
        let answer = try connection.client().json(.get, "/v1/stats")
        let output = options.output
        if output.json { return output.print(json: answer) }
        var sources = Table(["SOURCE", "PUBLISHED", "REJECTED", "DUPLICATES", "BYTES", "LAST PUBLISHED"], rightAligned: [1, 2, 3, 4])
        for source in answer["sources"]?.array ?? [] {
            sources.add([.init(source.text("source")), .init(source.text("published")),
                         .init(source.text("rejected"), (source["rejected"]?.int ?? 0) > 0 ? .yellow : .plain),
                         .init(source.text("duplicates")), .init(Numbers.bytes(source["bytes"]?.int ?? 0)),
                         .init(output.time(source["lastPublishedAt"]?.stringValue))])
        }
        var topics = Table(["TOPIC", "PARTITION", "LAST OFFSET", "SIZE"], rightAligned: [1, 2, 3])
        for topic in answer["topics"]?.array ?? [] {
            topics.add([.init(topic.text("topic")), .init(topic.text("partition")), .init(topic.text("lastOffset")),
                        .init(Numbers.bytes(topic["bytes"]?.int ?? 0))])
        }
        var blocks = [sources.rows.isEmpty ? "no records published since the server started" : sources.render(colour: output.colour),
                      topics.rows.isEmpty ? "no topics yet" : topics.render(colour: output.colour)]
        if let subscriptions = answer["subscriptions"]?.array {
            blocks.append(subscriptions.isEmpty ? "no subscriptions" : SubscriptionTables.stats(subscriptions, output: output))
        }
        blocks.append("quarantine: \(answer.text("quarantineOpen")) open")
        print(blocks.joined(separator: "\n\n"))
    }
}
