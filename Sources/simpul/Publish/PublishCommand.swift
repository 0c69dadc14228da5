import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul publish SOURCE FILE`: sends an export file through the source's adapter, in
/// batches within the server's limits, and reports what was accepted and what went to
/// quarantine (with the quarantine ids, file record numbers and lines).
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish an export file through a source's adapter.",
        discussion: """
            The format comes from the file name (.csv, .ndjson/.jsonl, .json, .xml, .geojson) unless --format \
            says otherwise. CSV, NDJSON and JSON-array files are sent in batches of whole records (a batch the \
            server finds too large is halved and sent again); XML and GeoJSON files are sent whole. Re-sending \
            a file appends nothing new: events keep their ids. Exit 0 when every record was accepted, 1 when \
            some were refused (they are in quarantine: `simpul quarantine show ID`).
            """)

    static let recordsPerBatchDefault = 1000
    static let batchBytesDefault = 4 << 20

    @Argument(help: "The source (adapter name, see `simpul adapters list`).")
    var source: String

    @Argument(help: "The export file.")
    var file: String

    @Option(name: .long, help: "csv, ndjson, json, xml or geojson (default: from the file name).")
    var format: String?

    @Option(name: .long, help: "Most records per request.")
    var batchRecords = recordsPerBatchDefault

    @Option(name: .long, help: "Most bytes per request (keep it under the server's limits.bodyBytesMax).")
    var batchBytes = batchBytesDefault

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if let format, InputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if batchRecords < 1 { throw ValidationError("--batch-records must be 1 or more") }
        if batchBytes < 1024 { throw ValidationError("--batch-bytes must be at least 1024") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read \(file); check the path and that you may read it")
        }
        let bytes = Array(data)
        let fileName = (file as NSString).lastPathComponent
        let inputFormat = format.flatMap(InputFormat.init(rawValue:)) ?? InputFormat.detect(fileName: fileName, bytes: bytes)
        let client = try connection.client()
        let sender = BatchSender(client: client, source: source, fileName: fileName, contentType: Self.contentType(inputFormat),
                                 splitter: RecordSplitter(bytes, format: inputFormat))
        let progress = Progress(label: "publishing", enabled: !options.json)
        let result = try sender.sendAll(recordsMax: batchRecords, bytesMax: batchBytes) { done, total, tally in
            progress.update(done: done, total: total, counts: tally.counts)
        }
        progress.finish()
        let output = options.output
        if output.json {
            output.print(json: .members([("source", .string(source)), ("file", .string(file)), ("format", .string(inputFormat.rawValue)),
                                         ("batches", .integer(result.batches))] + result.tally.jsonMembers))
        } else {
            print(result.tally.render(output: output, file: file, batches: result.batches))
        }
        if result.tally.rejected > 0 || result.tally.conflicts > 0 { throw ExitCode(.failed) }
    }

    static func contentType(_ format: InputFormat) -> String {
        switch format {
        case .csv: return "text/csv"
        case .ndjson: return "application/x-ndjson"
        case .json: return "application/json"
        case .xml: return "application/xml"
        case .geojson: return "application/geo+json"
        }
    }
}
