import Foundation
import SimpulLog

/// Names in JetStream for Simpul's topics, partitions and consumer positions.
///
/// Each partition is its own stream, so that its stream sequence is the partition's offset
/// (offset N is sequence N + 1: JetStream counts from 1, the log from 0). The stream holds
/// the one subject `simpul.<topic>.<partition>`. Stream names may not contain '.', and topic
/// names are lowercase, so a '.' becomes 'D' and the partition follows the last '_P':
/// `city.population` partition 2 is `SIMPUL_cityDpopulation_P2` — one name per pair.
enum StreamNaming {
    static let streamPrefix = "SIMPUL_"
    static let positionsBucket = "simpul_positions"

    static func subject(_ topic: TopicName, _ partition: Int) -> String {
        "simpul.\(topic.value).\(partition)"
    }

    /// Built byte by byte: it is asked for on every append, and Foundation's
    /// `replacingOccurrences` took an eighth of a publishing client's CPU.
    static func stream(_ topic: TopicName, _ partition: Int) -> String {
        var name = Array(streamPrefix.utf8)
        name.reserveCapacity(name.count + topic.value.utf8.count + 24)
        for byte in topic.value.utf8 { name.append(byte == UInt8(ascii: ".") ? UInt8(ascii: "D") : byte) }
        name += "_P\(partition)".utf8
        return String(decoding: name, as: UTF8.self)
    }

    /// The topic and partition of a Simpul stream name, nil for any other stream.
    static func parse(stream name: String) -> (topic: TopicName, partition: Int)? {
        guard name.hasPrefix(streamPrefix), let marker = name.range(of: "_P", options: .backwards) else { return nil }
        let encoded = name[name.index(name.startIndex, offsetBy: streamPrefix.count)..<marker.lowerBound]
        guard let partition = Int(name[marker.upperBound...]), partition >= 0,
              let topic = try? TopicName(encoded.replacingOccurrences(of: "D", with: ".")) else { return nil }
        return (topic, partition)
    }

    /// KV key of a consumer position: the consumer name in hex (any bytes are allowed in it,
    /// few in a key), then the topic, then the partition.
    static func positionKey(consumer: String, topic: TopicName, partition: Int) -> String {
        hex(Array(consumer.utf8)) + "." + topic.value + ".\(partition)"
    }

    /// The record key as `Nats-Msg-Id`: itself when it is printable ASCII (event ids are),
    /// otherwise its hex form, so that equal keys always give equal ids.
    static func messageID(key: [UInt8]) -> String? {
        guard !key.isEmpty else { return nil }
        if keyIsItsOwnMessageID(key) { return String(decoding: key, as: UTF8.self) }
        return "hex:" + hex(key)
    }

    /// Whether `messageID(key:)` is the key itself, so that reading the id gives the key back.
    static func keyIsItsOwnMessageID(_ key: [UInt8]) -> Bool {
        !key.isEmpty && key.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
