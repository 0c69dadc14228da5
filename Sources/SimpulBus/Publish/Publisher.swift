import Foundation
import SimpulLog
import SimpulMapping

/// One publish request as the HTTP layer hands it over.
public struct PublishRequest: Sendable {
    public var source: String
    public var body: [UInt8]
    public var contentType: String?
    public var fileName: String?
    public var idempotencyKey: String?
    public var publisher: Principal

    public init(source: String, body: [UInt8], contentType: String? = nil, fileName: String? = nil,
                idempotencyKey: String? = nil, publisher: Principal) {
        self.source = source
        self.body = body
        self.contentType = contentType
        self.fileName = fileName
        self.idempotencyKey = idempotencyKey
        self.publisher = publisher
    }
}

/// The publish path: decode → map → validate → (idempotency) → append durably →
/// quarantine what was refused → answer per record.
extension Bus {
    public func publish(_ request: PublishRequest) async throws -> PublishResult {
        guard let adapter = adapter(named: request.source) else { throw BusError.unknownSource(request.source) }
        let format = try inputFormat(request, adapter: adapter)
        let requestKey = request.idempotencyKey.map { "R:" + $0 }
        // Only a keyed request is ever compared by body: no hash of every payload.
        let bodyHash = request.idempotencyKey == nil ? "" : SHA256.hex(SHA256.hash(request.body))
        if let key = request.idempotencyKey, let remembered = idempotency.request(key) {
            return try replay(remembered, key: key, bodyHash: bodyHash)
        }
        let now = Date()
        let decoded: DecodedInput
        do {
            decoded = try adapter.decode(request.body, format: format)
        } catch {
            let issue = ValidationIssue(field: "", code: "decode.invalid", message: error.description)
            return try await refuseWhole(request, format: format, line: error.line, issue: issue)
        }
        guard decoded.records.count <= settings.recordsPerBatchMax else {
            throw BusError.tooManyRecords(count: decoded.records.count, limit: settings.recordsPerBatchMax)
        }
        let mapped = adapter.map(decoded, options: EventOptions(time: Self.timestamp(now), idempotencyKey: request.idempotencyKey))
        let events = mapped.compactMap { record -> CloudEvent? in
            if case .accepted(let event) = record.outcome { return event }
            return nil
        }
        let keys = Set(events.map { "E:" + $0.id } + [requestKey].compactMap { $0 })
        await idempotency.gate.claim(keys)
        defer { idempotency.gate.release(keys) }
        if let key = request.idempotencyKey, let remembered = try await rememberedRequest(key) {
            return try replay(remembered, key: key, bodyHash: bodyHash)
        }
        if let key = request.idempotencyKey, !(events.count == 1 && mapped.count == 1 && events[0].id == key),
           try await rememberedEvent(key) != nil {
            // The key named a one-record publish before; this body is another request.
            throw BusError.idempotencyConflict(key: key)
        }
        let appended = try await appendNew(mapped, topic: { _ in adapter.descriptor.topic }, nowMs: Int64(now.timeIntervalSince1970 * 1000))
        let results = try await quarantineRefused(mapped, results: appended, request: request, format: format)
        let result = PublishResult(status: PublishResult.status(for: results), records: results)
        if let key = request.idempotencyKey, result.status == 409 { throw BusError.idempotencyConflict(key: key) }
        record(result, source: request.source, bytes: request.body.count, mapped: mapped, at: now)
        if let key = request.idempotencyKey, mapped.count > 1, result.status == 202 || result.status == 200 {
            let response = RememberedResponse(bodyHash: bodyHash, body: result.body, timeMs: Int64(now.timeIntervalSince1970 * 1000))
            try await wrapStorage {
                try await idempotency.remember(requestKey: key, response)
                try await sharedIdempotency?.remember(requestKey: key, response)
            }
        }
        return result
    }

    /// Appends the accepted events that are new, grouped per topic partition (one durable
    /// append each), and remembers their ids. Duplicates and conflicts append nothing.
    func appendNew(_ mapped: [MappedRecord], topic topicOf: (CloudEvent) -> String, nowMs: Int64) async throws -> [PublishResult.Record?] {
        var results = [PublishResult.Record?](repeating: nil, count: mapped.count)
        // Each accepted event is encoded here, where it is at hand, so that the groups hold
        // its id and bytes rather than another copy of the event (ten retains and releases).
        var groups: [PartitionKey: [(index: Int, id: String, hash: String, record: AppendRecord)]] = [:]
        var seen: [String: String] = [:]
        if mapped.count > 1 { seen.reserveCapacity(mapped.count) }
        let elsewhere = try await publishedElsewhere(mapped)
        for (index, record) in mapped.enumerated() {
            guard case .accepted(let event) = record.outcome else { continue }
            let hash = EventCodec.dataHash(event.dataBytes)
            if let known = idempotency.event(event.id) ?? elsewhere[event.id] {
                results[index] = known.dataHash == hash
                    ? .published(record: record.position, id: event.id, topic: known.topic, partition: known.partition,
                                 offset: known.offset, duplicate: true)
                    : .conflict(record: record.position, id: event.id)
                continue
            }
            if mapped.count > 1 {  // only a batch can repeat an id within itself
                if let earlier = seen[event.id] {
                    if earlier != hash { results[index] = .conflict(record: record.position, id: event.id) }
                    continue  // the same event twice in one batch: appended once, answered below
                }
                seen[event.id] = hash
            }
            let key = PartitionKey(topic: topicOf(event), partition: partition(for: event.partitionKey, count: settings.partitionsPerTopic))
            let record = AppendRecord(key: Array(event.id.utf8), value: EventCodec.encode(event), timestampMs: nowMs)
            groups[key, default: []].append((index, event.id, hash, record))
        }
        for (key, items) in groups {
            let topicName = try TopicName(key.topic)
            let started = Date()
            let first = try await wrapStorage {
                try await ensureTopic(topicName)
                return try await store.append(items.map(\.record), topic: topicName, partition: key.partition)
            }
            stats.recordAppendLatency(ms: Date().timeIntervalSince(started) * 1000)
            var remembered: [(id: String, dataHash: String)] = []
            remembered.reserveCapacity(items.count)
            for (number, item) in items.enumerated() {
                results[item.index] = .published(record: mapped[item.index].position, id: item.id, topic: key.topic,
                                                 partition: key.partition, offset: first + Int64(number), duplicate: false)
                remembered.append((item.id, item.hash))
            }
            idempotency.remember(run: remembered, topic: key.topic, partition: key.partition, firstOffset: first, timeMs: nowMs)
            if sharedIdempotency != nil {
                try await rememberShared(items.map { ($0.index, $0.hash) }, in: mapped, first: first, at: key, nowMs: nowMs,
                                         results: &results)
            }
        }
        // A repeat inside the batch points at the copy that was appended.
        for (index, record) in mapped.enumerated() where results[index] == nil {
            if case .accepted(let event) = record.outcome, let location = idempotency.event(event.id) {
                results[index] = .published(record: record.position, id: event.id, topic: location.topic,
                                            partition: location.partition, offset: location.offset, duplicate: true)
            }
        }
        return results
    }

    /// A topic partition, as the key that groups a batch's events into one append each.
    struct PartitionKey: Hashable {
        var topic: String
        var partition: Int
    }

    func quarantineRefused(_ mapped: [MappedRecord], results: [PublishResult.Record?], request: PublishRequest,
                                   format: InputFormat) async throws -> [PublishResult.Record] {
        var refused: [(record: Int, line: Int, errors: [ValidationIssue])] = []
        for record in mapped {
            if case .rejected(let issues) = record.outcome { refused.append((record.position, record.line, issues)) }
        }
        if refused.isEmpty { return results.compactMap { $0 } }
        let entries = try await wrapStorage {
            try await quarantine.quarantine(payload: request.body, format: format.rawValue, source: request.source,
                                            publisher: request.publisher.name, refused: refused)
        }
        var byPosition: [Int: QuarantineEntry] = [:]
        for entry in entries { byPosition[entry.record] = entry }
        return mapped.enumerated().compactMap { index, record in
            if let result = results[index] { return result }
            if case .rejected(let issues) = record.outcome, let entry = byPosition[record.position] {
                return .rejected(record: record.position, line: record.line, quarantineId: entry.id, errors: issues)
            }
            return nil
        }
    }

    /// A payload that cannot be read at all is kept whole in quarantine and refused.
    private func refuseWhole(_ request: PublishRequest, format: InputFormat, line: Int, issue: ValidationIssue) async throws -> PublishResult {
        let entries = try await wrapStorage {
            try await quarantine.quarantine(payload: request.body, format: format.rawValue, source: request.source,
                                            publisher: request.publisher.name, refused: [(0, line, [issue])])
        }
        stats.record(source: request.source, published: 0, rejected: 1, duplicates: 0, bytes: request.body.count,
                     at: Self.timestamp(Date()))
        stats.record(codes: [issue.code])
        let records = entries.map { PublishResult.Record.rejected(record: 0, line: line, quarantineId: $0.id, errors: [issue]) }
        return PublishResult(status: 422, records: records)
    }

    private func replay(_ remembered: RememberedResponse, key: String, bodyHash: String) throws -> PublishResult {
        guard remembered.bodyHash == bodyHash else { throw BusError.idempotencyConflict(key: key) }
        guard case .object(let object)? = try? JSONReader.parse(remembered.body),
              case .array(let items)? = object["records"] else {
            return PublishResult(status: 200, records: [])
        }
        let records = items.compactMap { item -> PublishResult.Record? in
            guard case .object(let entry) = item, let id = entry["id"]?.stringValue, let topic = entry["topic"]?.stringValue,
                  case .number(let number)? = entry["record"], case .number(let partition)? = entry["partition"],
                  case .number(let offset)? = entry["offset"] else { return nil }
            return .published(record: Int(number) ?? 0, id: id, topic: topic, partition: Int(partition) ?? 0,
                              offset: Int64(offset) ?? 0, duplicate: true)
        }
        return PublishResult(status: 200, records: records)
    }

    private func inputFormat(_ request: PublishRequest, adapter: any Adapter) throws -> InputFormat {
        let declared = request.contentType.flatMap(Self.format(forContentType:))
        if let contentType = request.contentType, declared == nil,
           !contentType.lowercased().hasPrefix("application/octet-stream") {
            throw BusError.unsupportedFormat(source: request.source, detail:
                "content type \"\(contentType)\" is not one of application/json, application/x-ndjson, text/csv, "
                + "application/xml, application/geo+json")
        }
        var format = adapter.format(forFileName: request.fileName, bytes: request.body)
        if let declared, declared != .json || !adapter.descriptor.formats.contains(format) { format = declared }
        guard adapter.descriptor.formats.contains(format) else {
            let accepted = adapter.descriptor.formats.map(\.rawValue).joined(separator: ", ")
            throw BusError.unsupportedFormat(source: request.source, detail: "it accepts \(accepted), not \(format.rawValue)")
        }
        return format
    }

    static func format(forContentType contentType: String) -> InputFormat? {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json": return .json
        case "application/geo+json": return .geojson
        case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
        case "text/csv": return .csv
        case "application/xml", "text/xml": return .xml
        default: return nil
        }
    }

    private func record(_ result: PublishResult, source: String, bytes: Int, mapped: [MappedRecord], at time: Date) {
        stats.record(source: source, published: result.published, rejected: result.rejected, duplicates: result.duplicates,
                     bytes: bytes, at: Self.timestamp(time))
        var codes: [String] = []
        for record in mapped { if case .rejected(let issues) = record.outcome { codes += issues.map(\.code) } }
        stats.record(codes: codes)
    }

    static func timestamp(_ date: Date) -> String { Timestamp.rfc3339(date) }

    /// Turns the log's storage errors into the bus's (507 for a full disk, 503 otherwise;
    /// 503 `log.unavailable` while a remote store's servers are out of reach).
    func wrapStorage<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LogError {
            switch error {
            case .storageFull: throw BusError.storageFull(error.description)
            case .storageFailed, .partitionReadOnly, .closed: throw BusError.storage(error.description)
            default: throw error
            }
        } catch let error as any LogStoreError {
            throw error.isUnavailable ? BusError.logUnavailable(error.description) : BusError.storage(error.description)
        }
    }
}
