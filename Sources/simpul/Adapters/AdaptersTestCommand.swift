import ArgumentParser
import Foundation
import SimpulMapping

/// `simpul adapters test NAME FILE`: decode, map and validate a file as the bus would,
/// printing each record's CloudEvent or its reasons; nothing is published.
struct AdaptersTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry-run an adapter on a file: each record's CloudEvent or why it is refused.",
        discussion: """
            With --json, one line per input record (N is its 1-based position; a CSV header row \
            is not counted): {"record":N,"ok":true,"event":{…}} or \
            {"record":N,"ok":false,"errors":[{"field":…,"code":…,"message":…}]}.
            Exit status: 0 every record valid, 1 some record invalid, 2 bad adapter file or unreadable input.
            """)

    @Argument(help: "Adapter name (a folder of the adapters directory).")
    var name: String

    @Argument(help: "Input file in one of the adapter's formats (by extension, else by content).")
    var file: String

    @OptionGroup var options: AdaptersOptions

    @Option(help: "CloudEvent time to stamp (RFC 3339); default now. A fixed value makes output reproducible.")
    var time: String?

    func validate() throws {
        if let time, !time.contains("T") {
            throw ValidationError("--time takes an RFC 3339 time such as 2026-11-22T03:00:00Z")
        }
    }

    func run() throws {
        let adapter: DeclarativeAdapter
        do {
            let registry = try options.registry()
            adapter = try AdapterCatalog.load(name, in: options.adaptersDirectory, registry: registry)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("cannot read \(file); check the path and permissions")
            throw ExitCode(2)
        }
        let bytes = [UInt8](data)
        let format = adapter.format(forFileName: file, bytes: bytes)
        guard adapter.descriptor.formats.contains(format) else {
            printError("\(file) looks like \(format.rawValue), but adapter \(name) reads \(adapter.descriptor.formats.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(2)
        }
        let input: DecodedInput
        do {
            input = try adapter.decode(bytes, format: format)
        } catch {
            printError("\(file): \(error)")
            throw ExitCode(2)
        }
        var report = AdapterTestReport(adapter: adapter.descriptor, file: file, format: format, json: options.json)
        report.begin(recordCount: input.records.count)
        adapter.map(input, options: EventOptions(time: time ?? Self.now())) { report.add($0) }
        report.end()
        if report.invalid > 0 { throw ExitCode(1) }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}
