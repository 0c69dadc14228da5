/// A CloudEvents 1.0 envelope in JSON structured mode (DESIGN.md, "The canonical
/// envelope"), holding its canonical `data` and that data's compact bytes, so the bytes
/// are written once and serve both the event id and the wire form.
public struct CloudEvent: Sendable, Equatable {
    public var id: String
    public var source: String
    public var type: String
    public var subject: String
    /// RFC 3339 time the event was produced.
    public var time: String
    public var dataSchema: String
    /// The entity key: events with the same key keep their order.
    public var partitionKey: String
    public var data: JSONObject
    /// `JSONWriter` bytes of `data`.
    public var dataBytes: [UInt8]

    public static let specVersion = "1.0"
    public static let dataContentType = "application/json"

    /// The event id for a record: lowercase hex SHA-256 over source, key and canonical
    /// content, separated by newlines (which none of them may hold unescaped). The same
    /// record re-sent gives the same id; any change of content gives a new one.
    public static func derivedID(source: String, key: String, dataBytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(source.utf8)
        hasher.update(byte: 0x0A)
        hasher.update(key.utf8)
        hasher.update(byte: 0x0A)
        hasher.update(dataBytes)
        return hasher.finalizeHex()
    }

    /// The envelope as a JSON tree, members in the documented order.
    public var json: JSONValue {
        .object(JSONObject([
            ("specversion", .string(Self.specVersion)), ("id", .string(id)), ("source", .string(source)),
            ("type", .string(type)), ("subject", .string(subject)), ("time", .string(time)),
            ("datacontenttype", .string(Self.dataContentType)), ("dataschema", .string(dataSchema)),
            ("partitionkey", .string(partitionKey)), ("data", .object(data)),
        ]))
    }

    /// Appends the compact JSON of the envelope, reusing `dataBytes`.
    public func write(into output: inout [UInt8]) {
        JSONWriter.appendStatic("{\"specversion\":\"1.0\",\"id\":", to: &output)
        JSONWriter.writeString(id, into: &output)
        JSONWriter.appendStatic(",\"source\":", to: &output)
        JSONWriter.writeString(source, into: &output)
        JSONWriter.appendStatic(",\"type\":", to: &output)
        JSONWriter.writeString(type, into: &output)
        JSONWriter.appendStatic(",\"subject\":", to: &output)
        JSONWriter.writeString(subject, into: &output)
        JSONWriter.appendStatic(",\"time\":", to: &output)
        JSONWriter.writeString(time, into: &output)
        JSONWriter.appendStatic(",\"datacontenttype\":\"application/json\",\"dataschema\":", to: &output)
        JSONWriter.writeString(dataSchema, into: &output)
        JSONWriter.appendStatic(",\"partitionkey\":", to: &output)
        JSONWriter.writeString(partitionKey, into: &output)
        JSONWriter.appendStatic(",\"data\":", to: &output)
        output.append(contentsOf: dataBytes)
        output.append(UInt8(ascii: "}"))
    }
}
