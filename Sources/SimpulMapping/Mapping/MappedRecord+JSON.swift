extension MappedRecord {
    /// The dry-run line of `simpul adapters test --json` (and of the golden files):
    /// `{"record":N,"ok":true,"event":{…}}` or
    /// `{"record":N,"ok":false,"errors":[{"field":…,"code":…,"message":…}]}`, plus `\n`.
    public func writeJSONLine(into output: inout [UInt8]) {
        output += Array("{\"record\":\(position),".utf8)
        switch outcome {
        case .accepted(let event):
            JSONWriter.appendStatic("\"ok\":true,\"event\":", to: &output)
            event.write(into: &output)
        case .rejected(let issues):
            JSONWriter.appendStatic("\"ok\":false,\"errors\":", to: &output)
            let errors = issues.map { issue in
                JSONValue.object(JSONObject([("field", .string(issue.field)), ("code", .string(issue.code)),
                                             ("message", .string(issue.message))]))
            }
            JSONWriter.write(.array(errors), into: &output)
        }
        JSONWriter.appendStatic("}\n", to: &output)
    }
}
