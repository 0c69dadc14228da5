import Foundation
import SimpulLog
import SimpulMapping

/// One refused record, kept with the reasons until an admin retries it.
public struct QuarantineEntry: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case open, resolved }

    public var id: String
    /// The adapter (source) the payload was published to.
    public var source: String
    /// Name of the publisher's token, never the token.
    public var publisher: String
    public var receivedAt: String
    public var format: String
    /// 1-based record position in the payload; 0 when the payload as a whole was unreadable.
    public var record: Int
    public var line: Int
    public var errors: [ValidationIssue]
    public var status: Status
    public var resolvedAt: String?
    public var eventId: String?
    /// Where the raw payload lies in the payload journal (first chunk, chunk count).
    var payloadOffset: Int64
    var payloadChunks: Int
    /// Each chunk's offset, when they are not consecutive (a shared journal other nodes
    /// appended to meanwhile).
    var payloadOffsets: [Int64]? = nil
}

/// The quarantine: refused records with their raw payloads, kept in two journals
/// (`quarantine`: entries and status changes as JSON; `quarantine-payloads`: the raw bytes
/// in chunks of at most 512 KiB), so that nothing refused is ever lost and listing does
/// not read payloads. The journals are the data directory's, or shared by every node
/// (JetStream): then an entry quarantined on one node is listed, shown and retried on any.
/// Safe from any task.
public final class QuarantineStore: Sendable {
    static let chunkBytes = 512 << 10
    private let journal: any QuarantineJournal
    private let state = Locked(Entries())

    /// Entries by id, and their ids in the order they were first seen.
    struct Entries {
        var byId: [String: QuarantineEntry] = [:]
        var order: [String] = []

        mutating func apply(_ entry: QuarantineEntry) {
            if byId.updateValue(entry, forKey: entry.id) == nil { order.append(entry.id) }
        }
    }

    /// The quarantine in the data directory's journals.
    public init(log: Log, io: any StorageIO = PosixStorageIO()) throws {
        let embedded = try EmbeddedQuarantineJournal(log: log, io: io)
        journal = embedded
        let state = self.state
        try embedded.replay { value in Self.apply(value, to: state) }
    }

    /// The quarantine in `journal` (shared journals: every node's entries, kept current).
    public init(journal: any QuarantineJournal) async throws {
        self.journal = journal
        let state = self.state
        try await journal.follow { value in Self.apply(value, to: state) }
    }

    private static func apply(_ value: [UInt8], to state: Locked<Entries>) {
        guard let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(value)) else { return }
        state.withLock { $0.apply(entry) }
    }

    /// Keeps the raw payload once and one entry per refused record; returns the entries.
    public func quarantine(payload: [UInt8], format: String, source: String, publisher: String,
                           refused: [(record: Int, line: Int, errors: [ValidationIssue])]) async throws -> [QuarantineEntry] {
        guard !refused.isEmpty else { return [] }
        let chunks = stride(from: 0, to: max(payload.count, 1), by: Self.chunkBytes).map {
            Array(payload[$0..<min($0 + Self.chunkBytes, payload.count)])
        }
        let offsets = try await journal.appendPayload(chunks)
        let first = offsets.first ?? 0
        // Other nodes may append between the chunks of a shared journal: then every offset is kept.
        let consecutive = offsets.enumerated().allSatisfy { $0.element == first + Int64($0.offset) }
        let now = Timestamp.rfc3339(Date())
        let made = refused.map { refusal in
            QuarantineEntry(id: "q_" + TokenStore.randomHex(bytes: 8), source: source, publisher: publisher, receivedAt: now,
                            format: format, record: refusal.record, line: refusal.line, errors: refusal.errors,
                            status: .open, resolvedAt: nil, eventId: nil, payloadOffset: first, payloadChunks: chunks.count,
                            payloadOffsets: consecutive ? nil : offsets)
        }
        try await store(made)
        return made
    }

    /// Entries, newest first, optionally only those of one status or source.
    public func list(status: QuarantineEntry.Status? = nil, source: String? = nil, limit: Int = 100) -> [QuarantineEntry] {
        state.withLock { state in
            var found: [QuarantineEntry] = []
            for id in state.order.reversed() {
                guard let entry = state.byId[id] else { continue }
                if let status, entry.status != status { continue }
                if let source, entry.source != source { continue }
                found.append(entry)
                if found.count >= limit { break }
            }
            return found
        }
    }

    public func entry(_ id: String) -> QuarantineEntry? { state.withLock { $0.byId[id] } }

    public var openCount: Int { state.withLock { $0.byId.values.filter { $0.status == .open }.count } }

    /// The raw payload the entry was refused in.
    public func payload(of entry: QuarantineEntry) async throws -> [UInt8] {
        var chunks: [[UInt8]] = []
        if let offsets = entry.payloadOffsets {
            for offset in offsets { chunks += try await journal.readPayload(from: offset, count: 1) }
        } else {
            chunks = try await journal.readPayload(from: entry.payloadOffset, count: entry.payloadChunks)
        }
        return chunks.flatMap { $0 }
    }

    /// Records the outcome of a retry: resolved with the event it became, or new reasons.
    public func update(_ id: String, resolvedAs eventId: String?, errors: [ValidationIssue]) async throws -> QuarantineEntry {
        guard var entry = entry(id) else { throw BusError.notFound(what: "quarantined record", id: id) }
        if let eventId {
            entry.status = .resolved
            entry.eventId = eventId
            entry.resolvedAt = Timestamp.rfc3339(Date())
        } else {
            entry.errors = errors
        }
        try await store([entry])
        return entry
    }

    private func store(_ made: [QuarantineEntry]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await journal.appendEntries(try made.map { Array(try encoder.encode($0)) })
        // Applied at once, so this node reads its own writes before its follower hands them back.
        state.withLock { state in for entry in made { state.apply(entry) } }
    }

    public func close() async { await journal.close() }
}
