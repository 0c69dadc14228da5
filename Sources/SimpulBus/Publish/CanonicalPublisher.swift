import Foundation
import SimpulLog
import SimpulMapping

/// `POST /v1/events`: producers that already speak the canonical model send CloudEvents,
/// which are checked against their `dataschema` and appended like mapped records.
extension Bus {
    /// The topic of a canonical event: its type without the last segment
    /// (`city.population.person.upserted` → `city.population.person`).
    public static func topic(forEventType type: String) -> String {
        // On the UTF-8 view: Character indexing costs more than the rest of this per event.
        guard let dot = type.utf8.lastIndex(of: UInt8(ascii: ".")) else { return type }
        return String(Substring(type.utf8[..<dot]))
    }

    /// The file name of a `dataschema` (`business.v1.json` of `schemas/business.v1.json`).
    static func schemaFileName(_ dataschema: String) -> String {
        guard let slash = dataschema.utf8.lastIndex(of: UInt8(ascii: "/")) else { return dataschema }
        return String(Substring(dataschema.utf8[dataschema.utf8.index(after: slash)...]))
    }

    /// Checks and appends canonical events, parsed once by the caller from `body`; a
    /// refused event is quarantined with `body`, the request exactly as it came.
    public func publishCanonical(_ events: [JSONValue], body: [UInt8], publisher: Principal) async throws -> PublishResult {
        guard events.count <= settings.recordsPerBatchMax else {
            throw BusError.tooManyRecords(count: events.count, limit: settings.recordsPerBatchMax)
        }
        let now = Date()
        var mapped: [MappedRecord] = []
        mapped.reserveCapacity(events.count)
        // An event's data takes less than its share of the request (its envelope is the rest).
        let dataCapacity = min(body.count / max(events.count, 1), 1 << 20)
        for (index, value) in events.enumerated() {
            mapped.append(MappedRecord(record: index + 1, line: 0,
                                       outcome: check(value, publisher: publisher, now: now, dataCapacity: dataCapacity)))
        }
        var keys = Set<String>(minimumCapacity: mapped.count)
        for record in mapped {
            if case .accepted(let event) = record.outcome { keys.insert("E:" + event.id) }
        }
        await idempotency.gate.claim(keys)
        defer { idempotency.gate.release(keys) }
        let appended = try await appendNew(mapped, topic: { Self.topic(forEventType: $0.type) },
                                           nowMs: Int64(now.timeIntervalSince1970 * 1000))
        let request = PublishRequest(source: "events", body: body, publisher: publisher)
        let results = try await quarantineRefused(mapped, results: appended, request: request, format: .json)
        return PublishResult(status: PublishResult.status(for: results), records: results)
    }

    private func check(_ value: JSONValue, publisher: Principal, now: Date, dataCapacity: Int) -> MappedRecord.Outcome {
        var issues = schemas.map { $0.validate(cloudEvent: value) } ?? []
        if let schemas, issues.isEmpty {
            // A canonical event names the schema of its data; one that does not is not canonical.
            let schema = value["dataschema"]?.stringValue ?? ""
            // The file name first: that is how `schemas/business.v1.json` is known.
            let known = schemas.contains(schema: Self.schemaFileName(schema)) || schemas.contains(schema: schema)
            if !known {
                issues.append(ValidationIssue(field: "dataschema", code: schema.isEmpty ? "required.missing" : "schema.unknown",
                    message: "dataschema must name a canonical schema such as schemas/person.v1.json, not \"\(schema)\""))
            }
        }
        let source = value["source"]?.stringValue ?? ""
        if publisher.kind != .admin && !publisher.sources.contains(source) {
            issues.append(ValidationIssue(field: "source", code: "source.forbidden", message:
                "this token may not publish events of source \"\(source)\""))
        }
        guard issues.isEmpty, case .object(let data)? = value["data"], let id = value["id"]?.stringValue,
              let type = value["type"]?.stringValue else {
            if issues.isEmpty {
                issues.append(ValidationIssue(field: "data", code: "required.missing", message: "an event needs id, type and an object as data"))
            }
            return .rejected(issues)
        }
        if (try? TopicName(Self.topic(forEventType: type))) == nil {
            return .rejected([ValidationIssue(field: "type", code: "type.invalid", message:
                "type \"\(type)\" does not name a topic; use lowercase dotted words such as city.population.person.upserted")])
        }
        let subject = value["subject"]?.stringValue ?? ""
        return .accepted(CloudEvent(
            canonicalID: id, source: source, type: type, subject: subject,
            time: value["time"]?.stringValue ?? Self.timestamp(now), dataSchema: value["dataschema"]?.stringValue ?? "",
            partitionKey: value["partitionkey"]?.stringValue ?? (subject.isEmpty ? id : subject), data: data,
            dataCapacity: dataCapacity))
    }
}
