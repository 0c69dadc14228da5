import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul quarantine list|show|retry`: records the adapters refused, kept with their raw input.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "See refused input records and retry them after the adapter is fixed.",
        subcommands: [QuarantineListCommand.self, QuarantineShowCommand.self, QuarantineRetryCommand.self])
}

struct QuarantineListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List quarantined records, newest first.")

    @Option(name: .long, help: "open or resolved (default: both).")
    var status: String?

    @Option(name: .long, help: "Only records of this source (adapter name).")
    var source: String?

    @Option(name: .long, help: "At most this many entries (1…10000).")
    var limit = 100

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if let status, status != "open" && status != "resolved" { throw ValidationError("--status must be open or resolved") }
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() throws {
        let answer = try connection.client().json(.get, "/v1/quarantine",
                                                  query: [("status", status), ("source", source), ("limit", String(limit))])
        let output = options.output
        if output.json { return output.print(json: answer) }
        var table = Table(["ID", "SOURCE", "RECEIVED", "RECORD", "LINE", "STATUS", "FIRST ERROR"], rightAligned: [3, 4])
        for entry in answer["entries"]?.array ?? [] {
            let firstError = entry["errors"]?.array.first.map { "\($0.text("field")): \($0.text("message"))" } ?? "-"
            table.add([.init(entry.text("id")), .init(entry.text("source")), .init(output.time(entry["receivedAt"]?.stringValue)),
                       .init(entry.text("record")), .init(entry.text("line")),
                       .init(entry.text("status"), entry["status"]?.stringValue == "open" ? .yellow : .green),
                       .init(String(firstError.prefix(100)))])
        }
        output.print(table, empty: "the quarantine is empty")
        if answer["entries"]?.array.isEmpty == false { print("\(answer.text("open")) open") }
    }
}

struct QuarantineShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one quarantined record: why it was refused and its raw input.")

    @Argument(help: "The quarantine id (from `simpul quarantine list` or a publish answer).")
    var id: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func run() throws {
        let entry = try connection.client().json(.get, "/v1/quarantine/\(QueryString.segment(id))")
        let output = options.output
        if output.json { return output.print(json: entry) }
        var fields = [("id", entry.text("id")), ("source", entry.text("source")), ("publisher", entry.text("publisher")),
                      ("received", output.time(entry["receivedAt"]?.stringValue)), ("format", entry.text("format")),
                      ("record", entry.text("record")), ("line", entry.text("line")), ("status", entry.text("status"))]
        if entry["resolvedAt"] != nil { fields.append(("resolved", output.time(entry["resolvedAt"]?.stringValue))) }
        if entry["eventId"] != nil { fields.append(("event", entry.text("eventId"))) }
        print(KeyValueList.render(fields))
        var errors = Table(["FIELD", "CODE", "MESSAGE"])
        for issue in entry["errors"]?.array ?? [] { errors.add([.init(issue.text("field")), .init(issue.text("code")), .init(issue.text("message"))]) }
        if !errors.rows.isEmpty { print("\n" + errors.render(colour: output.colour)) }
        if let base64 = entry["payloadBase64"]?.stringValue, let payload = Data(base64Encoded: base64) {
            print("\npayload (\(payload.count) bytes):")
            print(String(data: payload, encoding: .utf8) ?? "(not UTF-8 text; see --json for the bytes in base64)")
        }
    }
}

struct QuarantineRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Run the current adapter again on quarantined records.",
        discussion: "Exit 0 when every record was accepted, 1 when one is still refused (its reasons are printed).")

    @Argument(help: "Quarantine ids.")
    var ids: [String]

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one quarantine id (see `simpul quarantine list`)") }
    }

    func run() throws {
        let client = try connection.client()
        var results: [JSONValue] = []
        var stillRefused = 0
        for id in ids {
            let entry = try client.json(.post, "/v1/quarantine/\(QueryString.segment(id))/retry")
            results.append(entry)
            if entry["status"]?.stringValue != "resolved" { stillRefused += 1 }
            if !options.json {
                if entry["status"]?.stringValue == "resolved" {
                    print("\(id): accepted as event \(entry.text("eventId"))")
                } else {
                    let reasons = entry["errors"]?.array.map { "\($0.text("field")): \($0.text("message"))" } ?? []
                    print("\(id): still refused: " + reasons.joined(separator: "; "))
                }
            }
        }
        if options.json { options.output.print(json: .members([("entries", .array(results))])) }
        if stillRefused > 0 { throw ExitCode(.failed) }
    }
}

/// `key: value` lines with the values aligned.
enum KeyValueList {
    static func render(_ fields: [(String, String)]) -> String {
        let width = (fields.map(\.0.count).max() ?? 0) + 1
        return fields.map { ($0.0 + ":").padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
