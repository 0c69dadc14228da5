import Foundation
import SimpulMapping

/// Streams the results of `simpul adapters test` to standard output, as JSON lines or as
/// text, in chunks: a large export never sits in memory as one string.
struct AdapterTestReport {
    /// Bytes gathered before a write to standard output.
    static let flushBytes = 1 << 16

    let adapter: AdapterDescriptor
    let file: String
    let format: InputFormat
    let json: Bool
    private var output: [UInt8] = []
    private(set) var valid = 0
    private(set) var invalid = 0

    init(adapter: AdapterDescriptor, file: String, format: InputFormat, json: Bool) {
        self.adapter = adapter
        self.file = file
        self.format = format
        self.json = json
        output.reserveCapacity(Self.flushBytes + 4096)
    }

    /// The text report's first line.
    mutating func begin(recordCount: Int) {
        guard !json else { return }
        append("\(adapter.name): \(file) (\(format.rawValue), \(recordCount) record\(recordCount == 1 ? "" : "s"))\n")
    }

    /// One record: a JSON line, or a text line with its issues indented below.
    mutating func add(_ result: MappedRecord) {
        if result.isAccepted { valid += 1 } else { invalid += 1 }
        if json {
            result.writeJSONLine(into: &output)
        } else {
            switch result.outcome {
            case .accepted(let event):
                append("record \(result.position): ok       \(event.type) \(event.subject)  id \(event.id.prefix(16))…\n")
            case .rejected(let issues):
                append("record \(result.position): REFUSED  (line \(result.line))\n")
                for issue in issues {
                    append("    \(issue.field.isEmpty ? "(record)" : issue.field)  \(issue.code)  \(issue.message)\n")
                }
            }
        }
        if output.count >= Self.flushBytes { flush() }
    }

    /// The text report's summary line, then everything still buffered.
    mutating func end() {
        if !json { append("\(valid) valid, \(invalid) invalid\n") }
        flush()
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func flush() {
        guard !output.isEmpty else { return }
        FileHandle.standardOutput.write(Data(output))
        output.removeAll(keepingCapacity: true)
    }
}
