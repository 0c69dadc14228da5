import Foundation

/// The text lines of the idempotency journal and snapshot:
/// `E <id> <topic> <partition> <offset> <dataHash> <timeMs>`,
/// `R <key> <bodyHash> <timeMs> <body base64>`, `W <topic/partition> <watermark>`,
/// tab-separated, ids escaped so that a tab or newline in a publisher's key cannot split one.
enum IdempotencyCodec {
    static func eventLine(_ id: String, _ location: EventLocation) -> String {
        "E\t\(escape(id))\t\(location.topic)\t\(location.partition)\t\(location.offset)\t\(location.dataHash)\t\(location.timeMs)"
    }

    static func requestLine(_ key: String, _ response: RememberedResponse) -> String {
        "R\t\(escape(key))\t\(response.bodyHash)\t\(response.timeMs)\t\(Data(response.body).base64EncodedString())"
    }

    static func apply(_ line: Substring, to state: inout IdempotencyStore.State) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch fields.first {
        case "E" where fields.count == 7:
            guard let partition = Int(fields[3]), let offset = Int64(fields[4]), let time = Int64(fields[6]) else { return }
            state.events[unescape(fields[1])] = EventLocation(topic: fields[2], partition: partition, offset: offset,
                                                              dataHash: fields[5], timeMs: time)
        case "R" where fields.count == 5:
            guard let time = Int64(fields[3]), let body = Data(base64Encoded: fields[4]) else { return }
            state.requests[unescape(fields[1])] = RememberedResponse(bodyHash: fields[2], body: Array(body), timeMs: time)
        case "W" where fields.count == 3:
            if let mark = Int64(fields[2]) { state.watermarks[fields[1]] = mark }
        default:
            return
        }
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x25 || $0 == 0x09 || $0 == 0x0A }) else { return text }
        return text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(0x25) else { return text }
        return text.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%09", with: "\t")
            .replacingOccurrences(of: "%25", with: "%")
    }
}
