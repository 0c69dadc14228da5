import ArgumentParser
import SimpulMapping

/// `simpul dlq show ID`: the event and every attempt (time, status, error, duration).
struct DLQShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a dead-lettered delivery: its event and every attempt.")

    @Argument(help: "The DLQ entry id (dlq_…).")
    var id: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func run() throws {
        let entry = try connection.client().json(.get, "/v1/dlq/\(QueryString.segment(id))")
        let output = options.output
        if output.json { return output.print(json: entry) }
        print(KeyValueList.render([
            ("id", entry.text("id")), ("subscription", entry.text("subscription")), ("event", entry.text("eventId")),
            ("type", entry.text("type")), ("topic", "\(entry.text("topic")) partition \(entry.text("partition")) offset \(entry.text("offset"))"),
            ("dead since", output.time(entry["deadLetteredAt"]?.stringValue)), ("reason", entry.text("reason")),
            ("state", entry.text("state")), ("replays", entry.text("replays")),
        ]))
        var attempts = Table(["ATTEMPT", "TIME", "STATUS", "DURATION", "ERROR"], rightAligned: [0, 2, 3])
        for attempt in entry["attempts"]?.array ?? [] {
            let status = attempt["status"]?.int
            attempts.add([.init(attempt.text("attempt")), .init(output.time(attempt["at"]?.stringValue)),
                          .init(status.map(String.init) ?? "-", status.map { (200..<300).contains($0) } == true ? .green : .red),
                          .init(TimeText.duration(milliseconds: attempt["durationMs"]?.int)), .init(attempt.text("error"))])
        }
        print("\n" + (attempts.rows.isEmpty ? "no attempts recorded" : attempts.render(colour: output.colour)))
        print("\nevent:\n" + (entry["event"]?.jsonText ?? "-"))
    }
}
