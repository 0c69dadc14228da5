import SimpulBus
import SimpulLog
import SimpulServer

/// Every error a route can meet, as the JSON error the API promises. A `5xx` here means
/// a bug or a sick disk, never a client mistake.
enum ErrorResponses {
    static func response(for error: any Error) -> HTTPResponse {
        switch error {
        case let bus as BusError:
            var headers: [(String, String)] = []
            if bus.status == 503 || bus.status == 507 { headers.append(("Retry-After", "30")) }
            return .error(status: bus.status, code: bus.code, message: bus.description, headers: headers)
        case let log as LogError:
            switch log {
            case .invalidTopicName: return .error(status: 400, code: "topic.invalid", message: log.description)
            case .unknownTopic, .unknownPartition: return .error(status: 404, code: "topic.unknown", message: log.description)
            case .offsetBeforeStart: return .error(status: 410, code: "offset.expired", message: log.description)
            case .storageFull: return .error(status: 507, code: "storage.full", message: log.description, headers: [("Retry-After", "30")])
            case .corruption: return .error(status: 500, code: "storage.damaged", message: log.description)
            default: return .error(status: 503, code: "storage.unavailable", message: log.description, headers: [("Retry-After", "30")])
            }
        case let store as any LogStoreError:
            let code = store.isUnavailable ? "log.unavailable" : "storage.unavailable"
            return .error(status: 503, code: code, message: store.description, headers: [("Retry-After", "30")])
        default:
            return .error(status: 500, code: "internal_error", message: "an unexpected error: \(error); please report it")
        }
    }

    static func badRequest(_ code: String, _ message: String) -> HTTPResponse {
        .error(status: 400, code: code, message: message)
    }
}
