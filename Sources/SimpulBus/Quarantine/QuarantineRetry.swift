import Foundation
import SimpulLog
import SimpulMapping

/// Retrying a quarantined record with the adapter as it is now (after an admin fixed the
/// mapping, or the source system fixed its data and the payload was replayed).
extension Bus {
    /// Re-runs the current adapter on the record's raw payload. If the record now maps,
    /// it is published (idempotently: its event id decides) and the entry is resolved;
    /// otherwise the entry keeps the new reasons.
    public func retryQuarantined(_ id: String) async throws -> QuarantineEntry {
        guard let entry = quarantine.entry(id) else { throw BusError.notFound(what: "quarantined record", id: id) }
        guard entry.status == .open else { return entry }
        guard let adapter = adapter(named: entry.source) else { throw BusError.unknownSource(entry.source) }
        let payload = try await quarantine.payload(of: entry)
        let format = InputFormat(rawValue: entry.format) ?? adapter.format(forFileName: nil, bytes: payload)
        if entry.record == 0 {
            return try await retryWholePayload(entry, payload: payload)
        }
        let decoded: DecodedInput
        do {
            decoded = try adapter.decode(payload, format: format)
        } catch {
            let issue = ValidationIssue(field: "", code: "decode.invalid", message: error.description)
            return try await quarantine.update(id, resolvedAs: nil, errors: [issue])
        }
        let mapped = adapter.map(decoded, options: EventOptions(time: Self.timestamp(Date())))
        guard let record = mapped.first(where: { $0.position == entry.record }) else {
            let issue = ValidationIssue(field: "", code: "record.missing", message:
                "the payload no longer holds record \(entry.record) for this adapter")
            return try await quarantine.update(id, resolvedAs: nil, errors: [issue])
        }
        switch record.outcome {
        case .rejected(let issues):
            return try await quarantine.update(id, resolvedAs: nil, errors: issues)
        case .accepted(let event):
            let keys: Set<String> = ["E:" + event.id]
            await idempotency.gate.claim(keys)
            defer { idempotency.gate.release(keys) }
            let results = try await appendNew([record], topic: { _ in adapter.descriptor.topic }, nowMs: currentTimeMs())
            if case .conflict? = results.first ?? nil {
                let issue = ValidationIssue(field: "id", code: "idempotency.conflict", message:
                    "event id \(event.id) was already published with different content")
                return try await quarantine.update(id, resolvedAs: nil, errors: [issue])
            }
            stats.record(source: entry.source, published: 1, rejected: 0, duplicates: 0, bytes: 0, at: Self.timestamp(Date()))
            return try await quarantine.update(id, resolvedAs: event.id, errors: [])
        }
    }

    /// A payload that could not be read at all is published again as a whole: its valid
    /// records are appended, its still-invalid ones get entries of their own.
    private func retryWholePayload(_ entry: QuarantineEntry, payload: [UInt8]) async throws -> QuarantineEntry {
        let publisher = Principal(id: "", kind: .publisher, name: entry.publisher, sources: [entry.source], topics: [], redact: [])
        let result = try await publish(PublishRequest(source: entry.source, body: payload, publisher: publisher))
        if result.rejected == 1, case .rejected(0, _, let newId, let errors)? = result.records.first {
            _ = newId
            return try await quarantine.update(entry.id, resolvedAs: nil, errors: errors)
        }
        let firstId = result.records.lazy.compactMap { record -> String? in
            if case .published(_, let id, _, _, _, _) = record { return id }
            return nil
        }.first
        return try await quarantine.update(entry.id, resolvedAs: firstId ?? "", errors: [])
    }
}
