import SimpulMapping

/// Sends a split file batch after batch, halving a batch the server finds too large (413),
/// and renumbers each answer's records and lines to the file's own.
struct BatchSender {
    let client: AdminClient
    let source: String
    let fileName: String
    let contentType: String
    let splitter: RecordSplitter

    private var path: String { "/v1/sources/\(QueryString.segment(source))/records" }

    func sendAll(recordsMax: Int, bytesMax: Int,
                 progress: (_ done: Int, _ total: Int, _ tally: PublishTally) -> Void) throws(CLIError) -> (tally: PublishTally, batches: Int) {
        var tally = PublishTally()
        guard splitter.isSplittable else {
            let answer = try send(splitter.bytes, describing: "the file")
            tally.add(answer, recordShift: 0, lineShift: 0)
            return (tally, 1)
        }
        var recordsLimit = recordsMax
        var index = 0, batches = 0
        while index < splitter.spans.count {
            let range = splitter.batch(from: index, recordsMax: recordsLimit, bytesMax: bytesMax)
            let body = splitter.body(range)
            let first = splitter.spans[range.lowerBound]
            guard let answer = try sendOrShrink(body, range: range, line: first.line) else {
                // Too large for the server (records or bytes): the same records again, in halves.
                recordsLimit = max(1, range.count / 2)
                continue
            }
            batches += 1
            tally.add(answer, recordShift: range.lowerBound, lineShift: first.line - 1 - splitter.prefixLines)
            index = range.upperBound
            progress(index, splitter.spans.count, tally)
        }
        return (tally, batches)
    }

    /// The answer, or nil when the server said 413 and the batch can still be halved.
    private func sendOrShrink(_ body: [UInt8], range: Range<Int>, line: Int) throws(CLIError) -> JSONValue? {
        let response = try client.send(.post, path, query: [("filename", fileName)], body: body, contentType: contentType)
        if response.status == 413 && range.count > 1 { return nil }
        return try parse(response, describing: "record \(range.lowerBound + 1) (line \(line))")
    }

    private func send(_ body: [UInt8], describing what: String) throws(CLIError) -> JSONValue {
        try parse(client.send(.post, path, query: [("filename", fileName)], body: body, contentType: contentType), describing: what)
    }

    /// 200, 202, 409 and 422 carry per-record results; anything else stops the publish.
    private func parse(_ response: AdminClient.Response, describing what: String) throws(CLIError) -> JSONValue {
        if [200, 202, 409, 422].contains(response.status), let answer = try? JSONReader.parse(response.body), answer["records"] != nil {
            return answer
        }
        var error = client.refusal(response, method: .post, path: path)
        if response.status == 413 {
            error.message = "\(what) is larger than the server accepts: \(error.message); split the file or raise the server's limits"
        }
        throw error
    }
}

/// What a publish did, over every batch, with record numbers and lines of the file.
struct PublishTally {
    var published: Int64 = 0
    var duplicates: Int64 = 0
    var rejected: Int64 = 0
    var conflicts: Int64 = 0
    var records: [JSONValue] = []

    var counts: String {
        "published \(Numbers.grouped(published)), duplicates \(Numbers.grouped(duplicates)), "
            + "rejected \(Numbers.grouped(rejected)), conflicts \(Numbers.grouped(conflicts))"
    }

    mutating func add(_ answer: JSONValue, recordShift: Int, lineShift: Int) {
        published += answer["published"]?.int ?? 0
        duplicates += answer["duplicates"]?.int ?? 0
        rejected += answer["rejected"]?.int ?? 0
        conflicts += answer["conflicts"]?.int ?? 0
        for record in answer["records"]?.array ?? [] {
            guard case .object(var object) = record else { continue }
            if let number = object["record"]?.int, number > 0 { object["record"] = .integer(number + Int64(recordShift)) }
            if let line = object["line"]?.int, line > 0 { object["line"] = .integer(line + Int64(lineShift)) }
            records.append(.object(object))
        }
    }

    var jsonMembers: [(String, JSONValue)] {
        [("published", .integer(published)), ("duplicates", .integer(duplicates)), ("rejected", .integer(rejected)),
         ("conflicts", .integer(conflicts)), ("records", .array(records))]
    }

    /// The refused records (one row per reason), then the counts.
    func render(output: Output, file: String, batches: Int, listedMax: Int = 50) -> String {
        var table = Table(["RECORD", "LINE", "QUARANTINE ID", "FIELD", "REASON"], rightAligned: [0, 1])
        let refused = records.filter { $0["ok"]?.bool == false }
        for record in refused.prefix(listedMax) {
            let issues = record["errors"]?.array ?? []
            for issue in issues.isEmpty ? [JSONValue.null] : issues {
                table.add([.init(record.text("record")), .init(record.text("line")),
                           .init(record["quarantineId"] == nil ? "-" : record.text("quarantineId"), .yellow),
                           .init(issue.text("field")), .init(issue.text("message"))])
            }
        }
        var lines: [String] = []
        if !table.rows.isEmpty {
            lines.append(table.render(colour: output.colour))
            if refused.count > listedMax { lines.append("… and \(refused.count - listedMax) more refused records (--json lists them all)") }
            lines.append("")
        }
        let total = published + duplicates + rejected + conflicts
        lines.append("\(file): \(Numbers.grouped(total)) \(total == 1 ? "record" : "records") in \(batches) "
                     + "\(batches == 1 ? "batch" : "batches"): \(counts)")
        if rejected > 0 { lines.append("refused records are in quarantine: `simpul quarantine show ID`, fix the adapter or the data, then `simpul quarantine retry ID`") }
        return lines.joined(separator: "\n")
    }
}
