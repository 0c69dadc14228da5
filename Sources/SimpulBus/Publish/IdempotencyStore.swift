import Foundation
import SimpulLog
import SimpulMapping

/// Where an event landed, and the hash of its canonical data (a reused id with other data
/// is a conflict, not a duplicate).
public struct EventLocation: Sendable, Equatable {
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var dataHash: String
    public var timeMs: Int64
}

/// A remembered answer to a request that carried an Idempotency-Key.
public struct RememberedResponse: Sendable, Equatable {
    public var bodyHash: String
    public var body: [UInt8]
    public var timeMs: Int64
}

/// Remembers event ids and Idempotency-Keys for `windowMs` (24 h by default), durably:
/// entries live in the journal `journals/idempotency`, and on open the tail of every topic
/// partition past the last remembered offset is read too, because an event is appended
/// before it is remembered (never the other way round, which could lose it).
/// Safe from any task.
public final class IdempotencyStore: Sendable {
    struct State {
        var events: [String: EventLocation] = [:]
        var requests: [String: RememberedResponse] = [:]
        var entriesSinceSnapshot = 0
    }

    let windowMs: Int64
    private let journal: Journal
    private let state: Locked<State>
    let gate = KeyGate()
    static let snapshotInterval = 20_000

    public init(log: Log, windowMs: Int64, io: any StorageIO = PosixStorageIO()) throws {
        self.windowMs = windowMs
        var options = log.options
        options.segmentBytesMax = min(options.segmentBytesMax, 16 << 20)
        options.retention = .keepEverything
        journal = try Journal.open(directory: log.journalsDirectory + "/idempotency", options: options, io: io)
        var loaded = State()
        if let snapshot = journal.snapshot {
            for line in String(decoding: snapshot.state, as: UTF8.self).split(separator: "\n") {
                Self.apply(line, to: &loaded)
            }
        }
        try journal.replay { Self.apply(Substring(String(decoding: $0.value, as: UTF8.self)), to: &loaded) }
        try Self.recoverTails(of: log, into: &loaded)
        state = Locked(loaded)
    }

    /// The remembered location of an event id, if it is still in the window.
    public func event(_ id: String, nowMs: Int64 = currentTimeMs()) -> EventLocation? {
        state.withLock { state in
            guard let location = state.events[id], nowMs - location.timeMs <= windowMs else { return nil }
            return location
        }
    }

    public func request(_ key: String, nowMs: Int64 = currentTimeMs()) -> RememberedResponse? {
        state.withLock { state in
            guard let response = state.requests[key], nowMs - response.timeMs <= windowMs else { return nil }
            return response
        }
    }

    /// Durably remembers appended events (after the append, see the type's note).
    public func remember(events: [(id: String, location: EventLocation)]) async throws {
        guard !events.isEmpty else { return }
        let lines = events.map { Self.line(id: $0.id, $0.location) }
        try await journal.append(entries: lines.map { Array($0.utf8) })
        state.withLock { state in
            for event in events { state.events[event.id] = event.location }
            state.entriesSinceSnapshot += events.count
        }
        try await snapshotIfDue()
    }

    public func remember(requestKey key: String, _ response: RememberedResponse) async throws {
        let line = "R\t\(Self.escape(key))\t\(response.bodyHash)\t\(response.timeMs)\t\(Data(response.body).base64EncodedString())"
        try await journal.append(Array(line.utf8))
        state.withLock { state in
            state.requests[key] = response
            state.entriesSinceSnapshot += 1
        }
    }

    /// Writes a snapshot of the live entries (those inside the window) every
    /// `snapshotInterval` entries, so the journal does not grow without end.
    private func snapshotIfDue() async throws {
        let nowMs = currentTimeMs()
        let snapshot: (String, Int64)? = state.withLock { state in
            guard state.entriesSinceSnapshot >= Self.snapshotInterval else { return nil }
            state.entriesSinceSnapshot = 0
            state.events = state.events.filter { nowMs - $0.value.timeMs <= windowMs }
            state.requests = state.requests.filter { nowMs - $0.value.timeMs <= windowMs }
            var lines = state.events.map { Self.line(id: $0.key, $0.value) }
            for (key, response) in state.requests {
                lines.append("R\t\(Self.escape(key))\t\(response.bodyHash)\t\(response.timeMs)\t\(Data(response.body).base64EncodedString())")
            }
            return (lines.joined(separator: "\n"), journal.partition.endOffset)
        }
        if let (text, next) = snapshot { try await journal.writeSnapshot(Array(text.utf8), nextOffset: next) }
    }

    public func close() async { await journal.close() }

    // MARK: Encoding

    static func line(id: String, _ location: EventLocation) -> String {
        "E\t\(escape(id))\t\(location.topic)\t\(location.partition)\t\(location.offset)\t\(location.dataHash)\t\(location.timeMs)"
    }

    static func apply(_ line: Substring, to state: inout State) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        if fields.first == "E", fields.count == 7, let partition = Int(fields[3]), let offset = Int64(fields[4]),
           let time = Int64(fields[6]) {
            state.events[unescape(fields[1])] = EventLocation(topic: fields[2], partition: partition, offset: offset,
                                                              dataHash: fields[5], timeMs: time)
        } else if fields.first == "R", fields.count == 5, let time = Int64(fields[3]), let body = Data(base64Encoded: fields[4]) {
            state.requests[unescape(fields[1])] = RememberedResponse(bodyHash: fields[2], body: Array(body), timeMs: time)
        }
    }

    /// Ids are the publishers' Idempotency-Keys: tabs and newlines must not split a line.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%09", with: "\t")
            .replacingOccurrences(of: "%25", with: "%")
    }

    /// Reads every record appended after the last remembered offset of each partition: the
    /// log record's key is the event id, its value the CloudEvent.
    static func recoverTails(of log: Log, into state: inout State) throws {
        var lastRemembered: [String: Int64] = [:]
        for location in state.events.values {
            let key = "\(location.topic)/\(location.partition)"
            lastRemembered[key] = max(lastRemembered[key] ?? -1, location.offset)
        }
        for topic in log.topicNames {
            for index in 0..<(log.partitionCount(topic) ?? 0) {
                let partition = try log.partition(topic, index)
                var next = max(partition.startOffset, (lastRemembered["\(topic.value)/\(index)"] ?? -1) + 1)
                while true {
                    let records = try partition.read(from: next, maxRecords: 4096, maxBytes: 16 << 20)
                    guard let last = records.last else { break }
                    for record in records where !record.key.isEmpty {
                        state.events[String(decoding: record.key, as: UTF8.self)] = EventLocation(
                            topic: topic.value, partition: index, offset: record.offset,
                            dataHash: EventCodec.dataHash(ofEventJSON: record.value), timeMs: record.timestampMs)
                    }
                    next = last.offset + 1
                }
            }
        }
    }
}
