/// What the bus refuses, each with the HTTP status and stable code the API answers with
/// and a sentence that says what to do.
public enum BusError: Error, Sendable, Equatable {
    case invalidConfiguration(key: String, message: String)
    case unknownSource(String)
    case unsupportedFormat(source: String, detail: String)
    case idempotencyConflict(key: String)
    case tooManyRecords(count: Int, limit: Int)
    case storageFull(String)
    case storage(String)
    /// The topics' store (a NATS cluster) is out of reach; nothing was acknowledged.
    case logUnavailable(String)
    case notFound(what: String, id: String)
    /// A request the bus understood but refuses (a bad subscription, a bad filter): 422.
    case invalid(code: String, message: String)
    /// A request that clashes with what exists (a subscription name taken): 409.
    case conflict(code: String, message: String)

    public var status: Int {
        switch self {
        case .invalidConfiguration: return 500
        case .unknownSource: return 404
        case .unsupportedFormat: return 415
        case .idempotencyConflict: return 409
        case .tooManyRecords: return 413
        case .storageFull: return 507
        case .storage, .logUnavailable: return 503
        case .notFound: return 404
        case .invalid: return 422
        case .conflict: return 409
        }
    }

    public var code: String {
        switch self {
        case .invalidConfiguration: return "configuration.invalid"
        case .unknownSource: return "source.unknown"
        case .unsupportedFormat: return "format.unsupported"
        case .idempotencyConflict: return "idempotency.conflict"
        case .tooManyRecords: return "batch.too_large"
        case .storageFull: return "storage.full"
        case .storage: return "storage.unavailable"
        case .logUnavailable: return "log.unavailable"
        case .notFound: return "not_found"
        case .invalid(let code, _), .conflict(let code, _): return code
        }
    }
}

extension BusError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidConfiguration(let key, let message): return "\(key): \(message)"
        case .unknownSource(let source):
            return "no source named \"\(source)\"; `simpul adapters list` shows the sources this bus accepts"
        case .unsupportedFormat(let source, let detail): return "source \"\(source)\" cannot read this payload: \(detail)"
        case .idempotencyConflict(let key):
            return "Idempotency-Key \"\(key)\" was reused with a different body; send a new key for a new request"
        case .tooManyRecords(let count, let limit):
            return "the batch holds \(count) records; the limit is \(limit) — split it into smaller batches"
        case .storageFull(let detail): return detail
        case .storage(let detail): return detail
        case .logUnavailable(let detail): return detail + "; nothing was acknowledged — retry with the same event ids"
        case .notFound(let what, let id): return "no \(what) with id \"\(id)\""
        case .invalid(_, let message), .conflict(_, let message): return message
        }
    }
}
