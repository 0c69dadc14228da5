import Foundation
import SimpulLog
import SimpulMapping

/// Events as a consumer sees them.
public struct EventPage: Sendable {
    public var topic: String
    public var partition: Int
    public var records: [(offset: Int64, event: [UInt8])]
    /// Where the next read should start.
    public var nextOffset: Int64

    public var body: [UInt8] {
        var output = Array("{\"topic\":".utf8)
        JSONWriter.writeString(topic, into: &output)
        output += Array(",\"partition\":\(partition),\"nextOffset\":\(nextOffset),\"records\":[".utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output += Array("{\"offset\":\(record.offset),\"event\":".utf8)
            output += record.event
            output.append(UInt8(ascii: "}"))
        }
        output += Array("]}".utf8)
        return output
    }
}

extension Bus {
    /// Whether `principal` may read `topic`: admins all, consumers their own topics.
    public func mayRead(_ principal: Principal, topic: String) -> Bool {
        switch principal.kind {
        case .admin: return true
        case .consumer: return principal.topics.contains(topic) || principal.topics.contains("*")
        case .publisher: return false
        }
    }

    /// Reads a page of events from `offset`, waiting up to `wait` when there is none yet,
    /// with the principal's field policy applied to each event.
    public func readEvents(topic: String, partition: Int, from offset: Int64, limit: Int, wait: Duration,
                           principal: Principal) async throws -> EventPage {
        let name = try TopicName(topic)
        return try await wrapStorage {
            var records = try await store.read(topic: name, partition: partition, from: offset, maxRecords: limit, maxBytes: 4 << 20)
            // Long-poll in slices, so that a shutting-down server answers its waiting readers
            // at once instead of holding its grace period for them.
            let deadline = ContinuousClock.now + wait
            while records.isEmpty && !isShuttingDown && ContinuousClock.now < deadline {
                let slice = min(deadline - ContinuousClock.now, .milliseconds(250))
                if try await store.waitForRecords(topic: name, partition: partition, from: offset, timeout: slice) {
                    records = try await store.read(topic: name, partition: partition, from: offset, maxRecords: limit, maxBytes: 4 << 20)
                }
            }
            let start = records.isEmpty ? try await store.summary(topic: name, partition: partition).startOffset : offset
            return page(records, topic: topic, partition: partition, from: offset, startOffset: start, principal: principal)
        }
    }

    private func page(_ records: [LogRecord], topic: String, partition: Int, from offset: Int64, startOffset: Int64,
                      principal: Principal) -> EventPage {
        let redact = principal.kind == .admin ? [] : principal.redact
        let events = records.map {
            ($0.offset, redact.isEmpty ? $0.value : FieldPolicy.redact($0.value, paths: redact, pseudonymKey: pseudonymKey))
        }
        return EventPage(topic: topic, partition: partition, records: events,
                         nextOffset: (records.last?.offset).map { $0 + 1 } ?? max(offset, startOffset))
    }
}

/// Removing the fields a receiver may not see, by dotted path (`data.nik`,
/// `data.address`): the law (UU PDP) lets an agency receive only what its task needs.
/// A removed value that also appears in `subject` or `partitionkey` (a NIK is the key of a
/// person event) is replaced there by a keyed pseudonym, so the receiver can still tell
/// events of one entity apart without learning the identifier.
public enum FieldPolicy {
    public static func redact(_ eventJSON: [UInt8], paths: [String], pseudonymKey: [UInt8]) -> [UInt8] {
        guard case .object(var event)? = try? JSONReader.parse(eventJSON) else { return eventJSON }
        apply(to: &event, allow: [], redact: paths, pseudonymKey: pseudonymKey)
        return JSONWriter.write(.object(event))
    }

    /// Keeps only the `allow` paths of `data` (when any are given), removes the `redact`
    /// paths, and pseudonymises removed values in `subject` and `partitionkey`.
    public static func apply(to event: inout JSONObject, allow: [String], redact paths: [String], pseudonymKey: [UInt8]) {
        var removed: [String] = []
        if !allow.isEmpty, case .object(let data)? = event["data"] {
            let kept = keep(allow.map { $0.split(separator: ".").dropFirst().map(String.init) }, of: data)
            collectStrings(.object(data), into: &removed)
            var keptStrings: [String] = []
            collectStrings(.object(kept), into: &keptStrings)
            removed.removeAll { keptStrings.contains($0) }
            event["data"] = .object(kept)
        }
        for path in paths {
            let parts = path.split(separator: ".").map(String.init)
            remove(parts[...], from: &event, collecting: &removed)
        }
        guard !removed.isEmpty else { return }
        for member in ["subject", "partitionkey"] {
            guard var text = event[member]?.stringValue else { continue }
            for value in removed where !value.isEmpty && text.contains(value) {
                text = text.replacingOccurrences(of: value, with: pseudonym(value, key: pseudonymKey))
            }
            event[member] = .string(text)
        }
    }

    /// The members of `object` named by `paths` (each a list of keys), nested objects kept
    /// only as far as a path reaches into them.
    private static func keep(_ paths: [[String]], of object: JSONObject) -> JSONObject {
        var kept = JSONObject()
        for member in object.members {
            let matching = paths.filter { $0.first == member.key }
            guard !matching.isEmpty else { continue }
            if matching.contains(where: { $0.count == 1 }) {
                kept[member.key] = member.value
            } else if case .object(let inner) = member.value {
                kept[member.key] = .object(keep(matching.map { Array($0.dropFirst()) }, of: inner))
            }
        }
        return kept
    }

    /// `p_` and 32 hex digits of HMAC-SHA256(key, value): stable for one installation,
    /// useless without its key (a bare hash of a 16-digit NIK could be brute-forced).
    public static func pseudonym(_ value: String, key: [UInt8]) -> String {
        "p_" + SHA256.hex(HMAC.sha256(key: key, message: Array(value.utf8))).prefix(32)
    }

    private static func remove(_ path: ArraySlice<String>, from object: inout JSONObject, collecting removed: inout [String]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            if let value = object[head] { collectStrings(value, into: &removed) }
            object[head] = nil
        } else if case .object(var inner)? = object[head] {
            remove(path.dropFirst(), from: &inner, collecting: &removed)
            object[head] = .object(inner)
        }
    }

    private static func collectStrings(_ value: JSONValue, into strings: inout [String]) {
        switch value {
        case .string(let text): strings.append(text)
        case .number(let text): strings.append(text)
        case .array(let items): for item in items { collectStrings(item, into: &strings) }
        case .object(let object): for member in object.members { collectStrings(member.value, into: &strings) }
        default: break
        }
    }
}

/// HMAC (RFC 2104) over the mapping module's SHA-256.
enum HMAC {
    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5C })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
