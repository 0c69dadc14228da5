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

/// Remembers event ids and Idempotency-Keys for `windowMs` (24 h by default).
///
/// The topic log is the record of event ids: every appended record's key is its event id,
/// so remembering an event costs no second durable write. The index is rebuilt on open
/// from a snapshot (written in the background, with a per-partition watermark below which
/// every event is in it) plus the records after each watermark. Idempotency-Keys of batch
/// requests, which no single event carries, are kept in the journal
/// `journals/idempotency`. Safe from any task.
public final class IdempotencyStore: Sendable {
    struct State {
        var events = EventIndex()
        var requests: [String: RememberedResponse] = [:]
        /// Per "topic/partition": every offset below this is in `events`.
        var watermarks: [String: Int64] = [:]
        /// Remembered ranges above the watermark, waiting for the gap below them to fill.
        var pending: [String: [Range<Int64>]] = [:]
        var eventsSinceSnapshot = 0
        var snapshotting = false
    }

    let windowMs: Int64
    private let journal: Journal
    private let state: Locked<State>
    let gate = KeyGate()
    /// A snapshot is due after this many new events, or as many as the index holds
    /// (so that snapshot work stays proportional to the events published).
    let snapshotEventsMin: Int

    /// Opens the journal in `log` and recovers the events appended to the topics of `log`.
    public init(log: Log, windowMs: Int64, snapshotEventsMin: Int = 100_000, io: any StorageIO = PosixStorageIO()) throws {
        self.windowMs = windowMs
        self.snapshotEventsMin = snapshotEventsMin
        journal = try Self.openJournal(log, io: io)
        var loaded = try Self.load(journal)
        try Self.recoverTails(of: log, windowMs: windowMs, into: &loaded)
        state = Locked(loaded)
    }

    /// Opens the journal in `log` and recovers the events appended to the topics of `store`
    /// (a JetStream cluster).
    public init(journalsOf log: Log, topicsIn store: any LogStore, windowMs: Int64, snapshotEventsMin: Int = 100_000,
                io: any StorageIO = PosixStorageIO()) async throws {
        self.windowMs = windowMs
        self.snapshotEventsMin = snapshotEventsMin
        let journal = try Self.openJournal(log, io: io)
        var loaded: State
        do {
            loaded = try Self.load(journal)
            try await Self.recoverTails(of: store, windowMs: windowMs, into: &loaded)
        } catch {
            await journal.close()  // a start retried while the cluster elects opens it again
            throw error
        }
        self.journal = journal
        state = Locked(loaded)
    }

    private static func openJournal(_ log: Log, io: any StorageIO) throws -> Journal {
        var options = log.options
        options.segmentBytesMax = min(options.segmentBytesMax, 16 << 20)
        options.retention = .keepEverything
        return try Journal.open(directory: log.journalsDirectory + "/idempotency", options: options, io: io)
    }

    private static func load(_ journal: Journal) throws -> State {
        var loaded = State()
        if let snapshot = journal.snapshot {
            for line in String(decoding: snapshot.state, as: UTF8.self).split(separator: "\n") {
                IdempotencyCodec.apply(line, to: &loaded)
            }
        }
        try journal.replay { IdempotencyCodec.apply(Substring(String(decoding: $0.value, as: UTF8.self)), to: &loaded) }
        return loaded
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

    /// Remembers events just appended (they are durable in their topic already).
    public func remember(events: [(id: String, location: EventLocation)]) {
        for event in events {
            remember(run: [(event.id, event.location.dataHash)], topic: event.location.topic,
                     partition: event.location.partition, firstOffset: event.location.offset, timeMs: event.location.timeMs)
        }
    }

    /// Remembers a run of events just appended to one partition at consecutive offsets from
    /// `firstOffset` (one append): one lock, one range for the watermark.
    public func remember(run: [(id: String, dataHash: String)], topic: String, partition: Int, firstOffset: Int64, timeMs: Int64) {
        guard !run.isEmpty else { return }
        let key = "\(topic)/\(partition)"
        let due = state.withLock { state -> Bool in
            for (number, event) in run.enumerated() {
                state.events[event.id] = EventLocation(topic: topic, partition: partition, offset: firstOffset + Int64(number),
                                                       dataHash: event.dataHash, timeMs: timeMs)
            }
            state.pending[key, default: []].append(firstOffset..<(firstOffset + Int64(run.count)))
            Self.advance(key, in: &state)
            state.eventsSinceSnapshot += run.count
            guard !state.snapshotting,
                  state.eventsSinceSnapshot >= max(snapshotEventsMin, state.events.count) else { return false }
            state.snapshotting = true
            return true
        }
        if due { Task { await self.writeSnapshot() } }
    }

    /// Durably remembers the answer to a batch request that carried an Idempotency-Key.
    public func remember(requestKey key: String, _ response: RememberedResponse) async throws {
        // In memory first: a snapshot copying the map must not miss an entry it claims.
        state.withLock { $0.requests[key] = response }
        try await journal.append(Array(IdempotencyCodec.requestLine(key, response).utf8))
    }

    /// Moves a partition's watermark over the remembered ranges that now join it.
    private static func advance(_ key: String, in state: inout State) {
        guard var ranges = state.pending[key] else { return }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var mark = state.watermarks[key] ?? ranges.first?.lowerBound ?? 0
        var rest: [Range<Int64>] = []
        for range in ranges {
            if range.lowerBound <= mark { mark = max(mark, range.upperBound) } else { rest.append(range) }
        }
        state.watermarks[key] = mark
        state.pending[key] = rest.isEmpty ? nil : rest
    }

    /// Writes the live entries (inside the window) with the watermarks, off the publish
    /// path; replaying the journal and the topic tails after it restores the rest.
    /// Whether a background snapshot is being written (tests wait for it).
    var isSnapshotting: Bool { state.withLock { $0.snapshotting } }

    func writeSnapshot() async {
        let nowMs = currentTimeMs()
        let next = journal.partition.endOffset
        // Under the lock only O(1) work: publishers keep going while the rest runs.
        let (generations, requests, watermarks) = state.withLock { state in
            state.eventsSinceSnapshot = 0
            return (state.events.seal(), state.requests, state.watermarks)
        }
        let merged = await EventIndex.merge(generations) { nowMs - $0.timeMs <= windowMs }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(merged.count * 160)
        func line(_ text: String) {
            if !bytes.isEmpty { bytes.append(0x0A) }
            bytes.append(contentsOf: text.utf8)
        }
        for (number, (key, location)) in merged.enumerated() {
            line(IdempotencyCodec.eventLine(key.id, location))
            if number % EventIndex.entriesPerYield == 0 { await Task.yield() }
        }
        for (key, response) in requests where nowMs - response.timeMs <= windowMs { line(IdempotencyCodec.requestLine(key, response)) }
        for (key, mark) in watermarks { line("W\t\(key)\t\(mark)") }
        try? await journal.writeSnapshot(bytes, nextOffset: next)
        let replaced = state.withLock { state in
            state.snapshotting = false
            return state.events.replaceSealed(count: generations.count, with: merged)
        }
        // Freeing a million-entry dictionary takes tens of milliseconds that cannot yield:
        // not on a thread of the concurrency pool, where publishers run.
        DispatchQueue.global(qos: .background).async { withExtendedLifetime(replaced) {} }
    }

    public func close() async { await journal.close() }

    /// Adds every event appended after each partition's watermark (the record key is the
    /// event id, the value the CloudEvent), skipping those older than the window.
    static func recoverTails(of log: Log, windowMs: Int64, into state: inout State) throws {
        let nowMs = currentTimeMs()
        for topic in log.topicNames {
            for index in 0..<(log.partitionCount(topic) ?? 0) {
                let partition = try log.partition(topic, index)
                let key = "\(topic.value)/\(index)"
                var next = max(partition.startOffset, state.watermarks[key] ?? 0)
                while true {
                    let records = try partition.read(from: next, maxRecords: 4096, maxBytes: 16 << 20)
                    guard let last = records.last else { break }
                    remember(records, topic: topic, partition: index, windowMs: windowMs, nowMs: nowMs, into: &state)
                    next = last.offset + 1
                }
                state.watermarks[key] = next
            }
        }
    }

    /// The same, reading the topics of `store`.
    static func recoverTails(of store: any LogStore, windowMs: Int64, into state: inout State) async throws {
        let nowMs = currentTimeMs()
        for topic in try await store.topics() {
            for partition in topic.partitions {
                let key = "\(topic.name.value)/\(partition.index)"
                var next = max(partition.startOffset, state.watermarks[key] ?? 0)
                while next < partition.endOffset {
                    let records = try await store.read(topic: topic.name, partition: partition.index, from: next,
                                                       maxRecords: 4096, maxBytes: 16 << 20)
                    guard let last = records.last else { break }
                    remember(records, topic: topic.name, partition: partition.index, windowMs: windowMs, nowMs: nowMs, into: &state)
                    next = last.offset + 1
                }
                state.watermarks[key] = next
            }
        }
    }

    private static func remember(_ records: [LogRecord], topic: TopicName, partition: Int, windowMs: Int64, nowMs: Int64,
                                 into state: inout State) {
        for record in records where !record.key.isEmpty && nowMs - record.timestampMs <= windowMs {
            state.events[String(decoding: record.key, as: UTF8.self)] = EventLocation(
                topic: topic.value, partition: partition, offset: record.offset,
                dataHash: EventCodec.dataHash(ofEventJSON: record.value), timeMs: record.timestampMs)
        }
    }
}
