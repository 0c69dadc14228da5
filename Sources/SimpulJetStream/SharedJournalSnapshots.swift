import CNATS
import Foundation
import SimpulLog

/// Compaction (docs/design/stateless-nodes.md, "Compaction"): snapshots of a journal live
/// in a second stream, `SIMPULJOURNALSNAP_<name>`: parts (entries framed by a 4-byte
/// length, up to `snapshotPartBytes` each) on `simpul_journal_snapshot.<name>.part`, then
/// a manifest on `….manifest` naming the offset it covers and the sequences of its
/// parts. A manifest is published only if the last one is still the one its writer read
/// (`Nats-Expected-Last-Subject-Sequence`), so manifests cover ever higher offsets and the
/// last one always covers every purge made. The journal's own stream keeps contiguous
/// offsets; entries are only ever purged from its start.
extension SharedJournal {
    static let snapshotPartBytes = 256 << 10
    /// Attempts at reading the last snapshot while newer ones replace it.
    static let snapshotReadAttempts = 5

    var snapshotStream: String { "SIMPULJOURNALSNAP_" + name }
    var snapshotPartSubject: String { "simpul_journal_snapshot.\(name).part" }
    var snapshotManifestSubject: String { "simpul_journal_snapshot.\(name).manifest" }

    /// The last snapshot written, nil when there is none (a journal never compacted).
    public func latestSnapshot() async throws(SharedStateError) -> SharedLogSnapshot? {
        let stream = snapshotStream, manifestSubject = snapshotManifestSubject
        return try await call {
            try await self.client.run { jetStream -> SharedLogSnapshot? in
                for _ in 0..<Self.snapshotReadAttempts {
                    guard let (_, manifest) = try Self.lastManifest(jetStream, stream: stream, subject: manifestSubject) else {
                        return nil
                    }
                    var entries: [[UInt8]] = []
                    var complete = true
                    for sequence in manifest.parts {
                        // A part already purged: a newer snapshot replaced this one; read that.
                        guard let part = try Self.storedMessage(jetStream, stream: stream, sequence: sequence),
                              let unframed = SnapshotFraming.entries(part) else {
                            complete = false
                            break
                        }
                        entries += unframed
                    }
                    if complete { return SharedLogSnapshot(covers: manifest.covers, entries: entries) }
                }
                throw JetStreamError.requestFailed(operation: "reading the snapshot of the journal \(stream)",
                                                   detail: "newer snapshots kept replacing it; try again")
            }
        }
    }

    /// Writes `snapshot` unless the last one covers `minimumCovers` already; once written,
    /// purges the older snapshots and (`purgesCovered`) the entries it covers.
    public func writeSnapshot(_ snapshot: SharedLogSnapshot, unlessCovering minimumCovers: Int64)
        async throws(SharedStateError) -> SharedLogSnapshotOutcome {
        let stream = snapshotStream, partSubject = snapshotPartSubject, manifestSubject = snapshotManifestSubject
        let journalStream = self.stream, replicas = client.settings.replicas, name = self.name
        let acks = client.acks, timeoutMs = client.settings.requestTimeoutMs
        return try await call {
            let previous = try await self.client.run { jetStream -> (sequence: UInt64, covers: Int64) in
                try JetStreamLogStore.addStream(jetStream, name: stream, subject: "simpul_journal_snapshot.\(name).*",
                                              replicas: replicas, maxAgeNs: 0, what: "the journal snapshot stream")
                guard let (sequence, manifest) = try Self.lastManifest(jetStream, stream: stream, subject: manifestSubject) else {
                    return (0, 0)
                }
                return (sequence, manifest.covers)
            }
            if previous.sequence > 0, previous.covers >= min(minimumCovers, snapshot.covers) {
                return .notNeeded(covers: previous.covers)
            }
            let parts = try await self.client.run { jetStream -> [UInt64] in
                let messages = SnapshotFraming.parts(snapshot.entries, bytesMax: Self.snapshotPartBytes).map {
                    (record: AppendRecord(key: [], value: $0), subject: partSubject, stream: stream)
                }
                let outcome = JetStreamLogStore.publishPipelined(jetStream, acks, messages, timeoutMs: timeoutMs)
                return try messages.indices.map { index in
                    guard let sequence = outcome.sequences[index], outcome.failures[index] == nil else {
                        throw JetStreamError.requestFailed(
                            operation: "writing a snapshot of the journal \(journalStream)",
                            detail: outcome.failures[index] ?? outcome.sendFailure ?? "no acknowledgement within \(timeoutMs) ms")
                    }
                    return sequence
                }
            }
            let manifest = SnapshotManifest(covers: snapshot.covers, parts: parts)
            return try await self.client.run { jetStream -> SharedLogSnapshotOutcome in
                guard let written = try Self.publishManifest(jetStream, manifest, subject: manifestSubject,
                                                             expected: previous.sequence, stream: stream) else {
                    return .superseded
                }
                // Parts before this snapshot's first belong to older snapshots or to writers
                // that read an older manifest (their publish fails as this one's would have).
                try Self.purge(jetStream, stream: stream, subject: partSubject, below: parts.first ?? written)
                try Self.purge(jetStream, stream: stream, subject: manifestSubject, below: written)
                if snapshot.purgesCovered {
                    try Self.purge(jetStream, stream: journalStream, subject: nil, below: UInt64(snapshot.covers) + 1)
                }
                return .written
            }
        }
    }

    static func lastManifest(_ jetStream: OpaquePointer, stream: String, subject: String)
        throws -> (sequence: UInt64, manifest: SnapshotManifest)? {
        var message: OpaquePointer?
        var code = jsErrCode(0)
        let status = js_GetLastMsg(&message, jetStream, stream, subject, nil, &code)
        if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr || code == JSStreamNotFoundErr { return nil }
        guard status == NATS_OK, let message else { throw NATSClient.failure("reading the last snapshot of \(stream)", status, code) }
        defer { natsMsg_Destroy(message) }
        let data = JetStreamLogStore.record(message, offset: 0).value
        guard let manifest = try? JSONDecoder().decode(SnapshotManifest.self, from: Data(data)) else {
            throw JetStreamError.requestFailed(operation: "reading the last snapshot of \(stream)",
                                               detail: "its manifest is not one Simpul wrote")
        }
        return (natsMsg_GetSequence(message), manifest)
    }

    static func storedMessage(_ jetStream: OpaquePointer, stream: String, sequence: UInt64) throws -> [UInt8]? {
        try JetStreamLogStore.message(jetStream, stream: stream, offset: Int64(sequence) - 1)?.value
    }

    /// Publishes the manifest if the subject's last message is still `expected` (0: none);
    /// returns its sequence, nil when another manifest came first.
    static func publishManifest(_ jetStream: OpaquePointer, _ manifest: SnapshotManifest, subject: String, expected: UInt64,
                                stream: String) throws -> UInt64? {
        let body = Array((try? JSONEncoder().encode(manifest)) ?? Data())
        var message: OpaquePointer?
        var status = body.withUnsafeBytes {
            natsMsg_Create(&message, subject, nil, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count))
        }
        guard status == NATS_OK, let message else { throw NATSClient.failure("preparing a snapshot of \(stream)", status) }
        defer { natsMsg_Destroy(message) }
        status = natsMsgHeader_Set(message, "Nats-Expected-Last-Subject-Sequence", String(expected))
        guard status == NATS_OK else { throw NATSClient.failure("preparing a snapshot of \(stream)", status) }
        var ack: UnsafeMutablePointer<jsPubAck>?
        var code = jsErrCode(0)
        status = js_PublishMsg(&ack, jetStream, message, nil, &code)
        if code == JSStreamWrongLastSequenceErr { return nil }
        guard status == NATS_OK, let ack else { throw NATSClient.failure("writing a snapshot of \(stream)", status, code) }
        defer { jsPubAck_Destroy(ack) }
        return ack.pointee.Sequence
    }

    /// Purges the messages (of `subject`, when given) with a sequence below `sequence`.
    static func purge(_ jetStream: OpaquePointer, stream: String, subject: String?, below sequence: UInt64) throws {
        guard sequence > 1 else { return }
        var options = jsOptions()
        jsOptions_Init(&options)
        var code = jsErrCode(0)
        let status = withOptionalCString(subject) { subjectPointer in
            options.Stream.Purge.Subject = subjectPointer
            options.Stream.Purge.Sequence = sequence
            return js_PurgeStream(jetStream, stream, &options, &code)
        }
        guard status == NATS_OK else { throw NATSClient.failure("purging \(stream) below sequence \(sequence)", status, code) }
    }
}

/// What a snapshot's manifest says: the journal offset it covers (every entry below it)
/// and the sequences of its parts in the snapshot stream, in order.
struct SnapshotManifest: Codable, Equatable {
    var covers: Int64
    var parts: [UInt64]
}

/// Entries packed into parts: each a 4-byte big-endian length, then the bytes.
enum SnapshotFraming {
    static func parts(_ entries: [[UInt8]], bytesMax: Int) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var current: [UInt8] = []
        for entry in entries {
            if !current.isEmpty, current.count + 4 + entry.count > bytesMax {
                parts.append(current)
                current = []
            }
            let length = UInt32(entry.count)
            current += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            current += entry
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// The entries of one part, nil when it is cut short.
    static func entries(_ part: [UInt8]) -> [[UInt8]]? {
        var entries: [[UInt8]] = []
        var index = 0
        while index < part.count {
            guard index + 4 <= part.count else { return nil }
            let length = Int(part[index]) << 24 | Int(part[index + 1]) << 16 | Int(part[index + 2]) << 8 | Int(part[index + 3])
            index += 4
            guard index + length <= part.count else { return nil }
            entries.append(Array(part[index..<(index + length)]))
            index += length
        }
        return entries
    }
}
