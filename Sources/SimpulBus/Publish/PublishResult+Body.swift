import SimpulMapping

/// The answer body written straight to bytes: a batch of 100 records would otherwise build
/// a tree of some 800 `JSONValue`s only to write and free it (about a tenth of the server's
/// CPU per record). The bytes are exactly `JSONWriter.write(json)` (PublishResultTests).
extension PublishResult {
    public var body: [UInt8] {
        let counts = self.counts
        var out: [UInt8] = []
        out.reserveCapacity(96 + records.count * 160)
        out.append(UInt8(ascii: "{"))
        if let (code, message) = refusal(counts) {
            raw("\"error\":{\"code\":", &out)
            JSONWriter.writeString(code, into: &out)
            raw(",\"message\":", &out)
            JSONWriter.writeString(message, into: &out)
            raw("},", &out)
        }
        raw("\"published\":", &out); number(counts.published, &out)
        raw(",\"duplicates\":", &out); number(counts.duplicates, &out)
        raw(",\"rejected\":", &out); number(counts.rejected, &out)
        raw(",\"conflicts\":", &out); number(counts.conflicts, &out)
        raw(",\"records\":[", &out)
        for (position, record) in records.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            write(record, &out)
        }
        raw("]}", &out)
        return out
    }

    private func write(_ record: Record, _ out: inout [UInt8]) {
        switch record {
        case .published(let number, let id, let topic, let partition, let offset, let duplicate):
            raw("{\"record\":", &out); self.number(number, &out)
            raw(",\"ok\":true,\"id\":", &out); JSONWriter.writeString(id, into: &out)
            raw(",\"topic\":", &out); JSONWriter.writeString(topic, into: &out)
            raw(",\"partition\":", &out); self.number(partition, &out)
            raw(",\"offset\":", &out); self.number(offset, &out)
            raw(duplicate ? ",\"duplicate\":true}" : ",\"duplicate\":false}", &out)
        case .rejected(let number, let line, let quarantineId, let errors):
            raw("{\"record\":", &out); self.number(number, &out)
            raw(",\"ok\":false,\"line\":", &out); self.number(line, &out)
            raw(",\"quarantineId\":", &out); JSONWriter.writeString(quarantineId, into: &out)
            raw(",\"errors\":", &out); write(errors, &out)
            out.append(UInt8(ascii: "}"))
        case .conflict(let number, let id):
            raw("{\"record\":", &out); self.number(number, &out)
            raw(",\"ok\":false,\"id\":", &out); JSONWriter.writeString(id, into: &out)
            raw(",\"errors\":", &out); write([Self.conflictIssue(id: id)], &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func write(_ issues: [ValidationIssue], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (position, issue) in issues.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            raw("{\"field\":", &out); JSONWriter.writeString(issue.field, into: &out)
            raw(",\"code\":", &out); JSONWriter.writeString(issue.code, into: &out)
            raw(",\"message\":", &out); JSONWriter.writeString(issue.message, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    private func raw(_ text: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private func number(_ value: some BinaryInteger, _ out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }
}
