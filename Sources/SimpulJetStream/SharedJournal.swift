import CNATS
import Foundation
import SimpulLog

/// One entry of a shared journal: its offset (from 0, as in the log), the id the writer
/// gave it (JetStream drops a second append with the same id inside two minutes), the
/// bytes and the time it was appended.
public struct SharedJournalEntry: Sendable, Equatable {
    public var offset: Int64
    public var id: String?
    public var value: [UInt8]
    public var timestampMs: Int64
}

/// A journal every Simpul node appends to and reads: one JetStream stream
/// (`SIMPULJOURNAL_<name>`, subject `simpul_journal.<name>`), replicated like the topics.
///
/// It stands in for a local `Journal` (DLQ, pending retries, subscriptions) when nodes
/// hold no state: an append returns after JetStream's PubAck, any node reads the whole
/// history from any offset, and `follow` hands each node what every other node appends,
/// in order and once each, so its in-memory view stays current. Safe from any task.
public final class SharedJournal: Sendable {
    public static let nameBytesMax = 64
    /// Entries fetched per request when reading.
    public static let readBatchMax = 512

    public let name: String
    let client: NATSClient
    let stream: String
    let subject: String
    private let ownsClient: Bool

    /// Connects and opens (or creates) the journal's stream. `maxAge`, when given, drops
    /// entries older than that (an audit trail kept for a retention period).
    public convenience init(settings: JetStreamSettings, name: String, maxAge: Duration? = nil) async throws {
        try settings.validate()
        let client = try await Task.detached { () throws(JetStreamError) -> NATSClient in
            try NATSClient(settings: settings)
        }.value
        do {
            try await self.init(client: client, name: name, maxAge: maxAge, ownsClient: true)
        } catch {
            await client.close()
            throw error
        }
    }

    init(client: NATSClient, name: String, maxAge: Duration?, ownsClient: Bool = false) async throws {
        let allowed = name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
        guard !name.isEmpty, name.utf8.count <= Self.nameBytesMax, allowed else {
            throw SharedStateError.invalidName(name, reason: "a journal name is 1 to \(Self.nameBytesMax) of a-z, 0-9 and -")
        }
        self.name = name
        self.client = client
        self.ownsClient = ownsClient
        stream = "SIMPULJOURNAL_" + name
        subject = "simpul_journal." + name
        let stream = self.stream, subject = self.subject, replicas = client.settings.replicas
        try await client.run { jetStream in
            try JetStreamLogStore.addStream(jetStream, name: stream, subject: subject, replicas: replicas,
                                          maxAgeNs: maxAge?.nanoseconds ?? 0, what: "the journal stream")
        }
    }

    /// Appends one entry and returns its offset once JetStream acknowledged it; with an
    /// `id` already appended inside two minutes, returns that entry's offset instead.
    @discardableResult
    public func append(_ value: [UInt8], id: String? = nil) async throws(SharedStateError) -> Int64 {
        let record = AppendRecord(key: Array((id ?? "").utf8), value: value)
        let stream = self.stream, subject = self.subject
        return try await call {
            try await self.client.run { jetStream in
                try JetStreamLogStore.publish(jetStream, record, subject: subject, stream: stream)
            }
        }
    }

    /// Appends `values` in order, pipelined (every message sent, then every PubAck awaited):
    /// one round trip for the batch, not one per entry. Returns the offset of the last
    /// once all are acknowledged; another node's entries may come between them. On an
    /// error some of them may be in the journal (a follower sees those).
    public func append(batch values: [[UInt8]]) async throws(SharedStateError) -> Int64 {
        if values.count <= 1 { return values.isEmpty ? try await endOffset() - 1 : try await append(values[0]) }
        let stream = self.stream, subject = self.subject, acks = client.acks, timeoutMs = client.settings.requestTimeoutMs
        return try await call {
            try await self.client.run { jetStream in
                let messages = values.map { (record: AppendRecord(key: [], value: $0), subject: subject, stream: stream) }
                let outcome = JetStreamLogStore.publishPipelined(jetStream, acks, messages, timeoutMs: timeoutMs)
                var last: UInt64 = 0
                for index in messages.indices {
                    guard let sequence = outcome.sequences[index], outcome.failures[index] == nil else {
                        throw JetStreamError.requestFailed(
                            operation: "appending to the journal \(stream)",
                            detail: "entry \(index + 1) of \(messages.count): "
                                + (outcome.failures[index] ?? outcome.sendFailure ?? "no acknowledgement within \(timeoutMs) ms"))
                    }
                    last = max(last, sequence)
                }
                return Int64(last) - 1
            }
        }
    }

    /// The offset the next entry will get (the number of entries ever appended).
    public func endOffset() async throws(SharedStateError) -> Int64 {
        let stream = self.stream
        return try await call {
            try await self.client.run { jetStream in
                try JetStreamLogStore.streamState(jetStream, stream)?.endOffset ?? 0
            }
        }
    }

    /// The offsets the journal still holds: those below were purged (compaction) or expired.
    public func keptOffsets() async throws(SharedStateError) -> Range<Int64> {
        let stream = self.stream
        return try await call {
            try await self.client.run { jetStream -> Range<Int64> in
                guard let state = try JetStreamLogStore.streamState(jetStream, stream) else { return 0..<0 }
                return state.startOffset..<state.endOffset
            }
        }
    }

    /// Up to `maxEntries` entries from `offset` on, in order (fewer at the end); with a
    /// `maxAge`, entries already dropped are skipped (the read starts at the oldest kept).
    public func read(from offset: Int64, maxEntries: Int = readBatchMax) async throws(SharedStateError) -> [SharedJournalEntry] {
        let stream = self.stream, timeoutMs = client.settings.requestTimeoutMs
        let wanted = max(1, min(maxEntries, Self.readBatchMax))
        return try await call {
            try await self.client.runWithConnection { connection, jetStream in
                guard let state = try JetStreamLogStore.streamState(jetStream, stream) else { return [] }
                var next = max(offset, state.startOffset)
                let count = Int(min(Int64(wanted), state.endOffset - next))
                guard count > 0 else { return [] }
                if count > 1, let fetched = try JetStreamLogStore.directBatch(
                    connection, stream: stream, offset: next, batch: count, maxBytes: 64 << 20, timeoutMs: timeoutMs),
                   !fetched.isEmpty {
                    return fetched.filter { $0.offset < state.endOffset }.map(Self.entry)
                }
                var entries: [SharedJournalEntry] = []
                while next < state.endOffset, entries.count < count {
                    if let record = try JetStreamLogStore.message(jetStream, stream: stream, offset: next) {
                        entries.append(Self.entry(record))
                    }
                    next += 1
                }
                return entries
            }
        }
    }

    /// Hands every entry from `offset` on to the returned follower's `entries`: those
    /// already there, then each one any node appends, in order and once each, until
    /// `stop()`. It keeps up across reconnects (libnats' ordered consumer restarts from
    /// the next offset it has not handed over).
    public func follow(from offset: Int64) async throws(SharedStateError) -> SharedJournalFollower {
        try await call { try await SharedJournalFollower.start(self, from: max(offset, 0)) }
    }

    public func close() async {
        if ownsClient { await client.close() }
    }

    static func entry(_ record: LogRecord) -> SharedJournalEntry {
        SharedJournalEntry(offset: record.offset, id: record.key.isEmpty ? nil : String(decoding: record.key, as: UTF8.self),
                           value: record.value, timestampMs: record.timestampMs)
    }
}
