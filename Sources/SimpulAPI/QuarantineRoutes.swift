import Foundation
import SimpulBus
import SimpulMapping
import SimpulServer

/// `GET /v1/quarantine`, `GET /v1/quarantine/{id}`, `POST /v1/quarantine/{id}/retry`.
enum QuarantineRoutes {
    static func list(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        let status = request.query["status"].flatMap(QuarantineEntry.Status.init(rawValue:))
        if request.query["status"] != nil && status == nil {
            return ErrorResponses.badRequest("query.invalid", "status must be open or resolved")
        }
        guard let limit = Int(request.query["limit"] ?? "100"), (1...10_000).contains(limit) else {
            return ErrorResponses.badRequest("query.invalid", "limit must be between 1 and 10000")
        }
        let entries = bus.quarantine.list(status: status, source: request.query["source"], limit: limit)
        return .json(status: 200, value: .object([("entries", .array(entries.map { json($0) })),
                                                  ("open", .int(bus.quarantine.openCount))]))
    }

    static func show(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        let id = request.pathParameters["id"] ?? ""
        guard let entry = bus.quarantine.entry(id) else {
            return ErrorResponses.response(for: BusError.notFound(what: "quarantined record", id: id))
        }
        do {
            let payload = try await bus.quarantine.payload(of: entry)
            guard case .object(var object) = json(entry) else { return .error(status: 500, code: "internal_error", message: "") }
            object["payloadBase64"] = .string(Data(payload).base64EncodedString())
            object["payloadBytes"] = .int(payload.count)
            return .json(status: 200, value: .object(object))
        } catch {
            return ErrorResponses.response(for: error)
        }
    }

    static func retry(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        do {
            let entry = try await bus.retryQuarantined(request.pathParameters["id"] ?? "")
            return .json(status: 200, value: json(entry))
        } catch {
            return ErrorResponses.response(for: error)
        }
    }

    static func json(_ entry: QuarantineEntry) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(entry.id)), ("source", .string(entry.source)), ("publisher", .string(entry.publisher)),
            ("receivedAt", .string(entry.receivedAt)), ("format", .string(entry.format)), ("record", .int(entry.record)),
            ("line", .int(entry.line)), ("status", .string(entry.status.rawValue)),
            ("errors", .array(entry.errors.map {
                .object([("field", .string($0.field)), ("code", .string($0.code)), ("message", .string($0.message))])
            })),
        ]
        if let resolvedAt = entry.resolvedAt { members.append(("resolvedAt", .string(resolvedAt))) }
        if let eventId = entry.eventId { members.append(("eventId", .string(eventId))) }
        return .object(members)
    }
}
