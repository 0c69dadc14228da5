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
}

/// The quarantine: refused records with their raw payloads, kept in two journals
/// (`quarantine`: entries and status changes as JSON; `quarantine-payloads`: the raw bytes
/// in chunks of at most 512 KiB), so that nothing refused is ever lost and listing does
/// not read payloads. Safe from any task.
public final class QuarantineStore: Sendable {
    static let chunkBytes = 512 << 10
    private let entriesJournal: Journal
    private let payloadJournal: Journal
    private let entries: Locked<[String: QuarantineEntry]>
    private let order: Locked<[String]>

    public init(log: Log, io: any StorageIO = PosixStorageIO()) throws {
        var options = log.options
        options.retention = .keepEverything
        entriesJournal = try Journal.open(directory: log.journalsDirectory + "/quarantine", options: options, io: io)
        payloadJournal = try Journal.open(directory: log.journalsDirectory + "/quarantine-payloads", options: options, io: io)
        var loaded: [String: QuarantineEntry] = [:]
        var ids: [String] = []
        let decoder = JSONDecoder()
        try entriesJournal.replay { record in
            guard let entry = try? decoder.decode(QuarantineEntry.self, from: Data(record.value)) else { return }
            if loaded[entry.id] == nil { ids.append(entry.id) }
            loaded[entry.id] = entry
        }
        entries = Locked(loaded)
        order = Locked(ids)
    }

    /// Keeps the raw payload once and one entry per refused record; returns the entries.
    public func quarantine(payload: [UInt8], format: String, source: String, publisher: String,
                           refused: [(record: Int, line: Int, errors: [ValidationIssue])]) async throws -> [QuarantineEntry] {
        guard !refused.isEmpty else { return [] }
        let chunks = stride(from: 0, to: max(payload.count, 1), by: Self.chunkBytes).map {
            Array(payload[$0..<min($0 + Self.chunkBytes, payload.count)])
        }
        let first = try await payloadJournal.append(entries: chunks)
        let now = Timestamp.rfc3339(Date())
        let made = refused.map { refusal in
            QuarantineEntry(id: "q_" + TokenStore.randomHex(bytes: 8), source: source, publisher: publisher, receivedAt: now,
                            format: format, record: refusal.record, line: refusal.line, errors: refusal.errors,
                            status: .open, resolvedAt: nil, eventId: nil, payloadOffset: first, payloadChunks: chunks.count)
        }
        try await store(made)
        return made
    }

    /// Entries, newest first, optionally only those of one status or source.
    public func list(status: QuarantineEntry.Status? = nil, source: String? = nil, limit: Int = 100) -> [QuarantineEntry] {
        let ids = order.withLock { $0 }
        return entries.withLock { entries in
            var found: [QuarantineEntry] = []
            for id in ids.reversed() {
                guard let entry = entries[id] else { continue }
                if let status, entry.status != status { continue }
                if let source, entry.source != source { continue }
                found.append(entry)
                if found.count >= limit { break }
            }
            return found
        }
    }

    public func entry(_ id: String) -> QuarantineEntry? { entries.withLock { $0[id] } }

    public var openCount: Int { entries.withLock { $0.values.filter { $0.status == .open }.count } }

    /// The raw payload the entry was refused in.
    public func payload(of entry: QuarantineEntry) throws -> [UInt8] {
        let records = try payloadJournal.partition.read(from: entry.payloadOffset, maxRecords: entry.payloadChunks,
                                                        maxBytes: .max)
        return records.flatMap(\.value)
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
        try await entriesJournal.append(entries: try made.map { Array(try encoder.encode($0)) })
        entries.withLock { entries in for entry in made { entries[entry.id] = entry } }
        order.withLock { order in
            for entry in made where !order.contains(entry.id) { order.append(entry.id) }
        }
    }

    public func close() async {
        await entriesJournal.close()
        await payloadJournal.close()
    }
}
