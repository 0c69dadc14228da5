/// A validated topic name: `[a-z0-9._-]`, 1 to `LogLimits.topicNameBytesMax` bytes,
/// no `..`, not starting with a dot (topic names become directory names).
public struct TopicName: Sendable, Hashable, CustomStringConvertible, Comparable {
    public let value: String

    public init(_ value: String) throws {
        guard !value.isEmpty else { throw LogError.invalidTopicName(value, reason: "it is empty") }
        guard value.utf8.count <= LogLimits.topicNameBytesMax else {
            throw LogError.invalidTopicName(value, reason: "it is longer than \(LogLimits.topicNameBytesMax) bytes")
        }
        // One pass over the bytes (this runs for every published event): the allowed set,
        // no `..`, no leading dot.
        var previous: UInt8 = 0
        for byte in value.utf8 {
            let allowed = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
            guard allowed else {
                let shown = byte == 0x2F ? "'/'" : "byte 0x\(String(byte, radix: 16))"
                throw LogError.invalidTopicName(value, reason: "it contains \(shown)")
            }
            if byte == 0x2E && previous == 0x2E { throw LogError.invalidTopicName(value, reason: "it contains '..'") }
            previous = byte
        }
        guard value.utf8.first != 0x2E else { throw LogError.invalidTopicName(value, reason: "it starts with '.'") }
        self.value = value
    }

    public var description: String { value }
    public static func < (lhs: TopicName, rhs: TopicName) -> Bool { lhs.value < rhs.value }
}

/// File names of segments and indexes: the base offset zero-padded to 20 digits so that
/// a directory listing sorts in offset order (`00000000000000001024.log`).
enum SegmentFileName {
    static let digits = 20

    static func log(_ base: Int64) -> String { padded(base) + ".log" }
    static func index(_ base: Int64) -> String { padded(base) + ".idx" }

    /// The base offset of a `.log` file name, or nil for any other file.
    static func baseOffset(ofLog name: String) -> Int64? {
        guard name.hasSuffix(".log"), name.utf8.count == digits + 4 else { return nil }
        let digitsPart = name.utf8.prefix(digits)
        guard digitsPart.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(String(name.prefix(digits)))
    }

    static func baseOffset(ofIndex name: String) -> Int64? {
        guard name.hasSuffix(".idx") else { return nil }
        return baseOffset(ofLog: String(name.dropLast(4)) + ".log")
    }

    private static func padded(_ base: Int64) -> String {
        let text = String(base)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
