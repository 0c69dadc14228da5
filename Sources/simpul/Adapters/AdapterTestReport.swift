import SimpulMapping

/// Renders the results of `simpul adapters test`, as JSON lines or as text.
struct AdapterTestReport {
    let adapter: AdapterDescriptor
    let file: String
    let format: InputFormat
    let results: [MappedRecord]

    /// One JSON object per record, each on its own line.
    func jsonLines() -> String {
        var output: [UInt8] = []
        for result in results { result.writeJSONLine(into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// A readable report: one line per record, issues indented below, a summary last.
    func text() -> String {
        var lines = ["\(adapter.name): \(file) (\(format.rawValue), \(results.count) record\(results.count == 1 ? "" : "s"))"]
        var rejected = 0
        for result in results {
            switch result.outcome {
            case .accepted(let event):
                lines.append("record \(result.position): ok       \(event.type) \(event.subject)  id \(event.id.prefix(16))…")
            case .rejected(let issues):
                rejected += 1
                lines.append("record \(result.position): REFUSED  (line \(result.line))")
                for issue in issues {
                    lines.append("    \(issue.field.isEmpty ? "(record)" : issue.field)  \(issue.code)  \(issue.message)")
                }
            }
        }
        lines.append("\(results.count - rejected) valid, \(rejected) invalid")
        return lines.joined(separator: "\n") + "\n"
    }
}
