import SimpulBus
import SimpulMapping
import SimpulServer

/// `GET /v1/dlq`, `GET /v1/dlq/{id}`, `POST /v1/dlq/replay` (admins).
enum DeadLetterRoutes {
    static let limitMax = 1000

    static func list(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await SubscriptionRoutes.withEngine(request, bus: bus) { engine in
            let filter = try filter(query: request.query)
            guard let limit = Int(request.query["limit"] ?? "100"), (1...limitMax).contains(limit) else {
                throw BusError.invalid(code: "query.invalid", message: "limit must be between 1 and \(limitMax)")
            }
            let page = engine.deadLetters(filter, after: request.query["after"], limit: limit)
            let next: JSONValue = page.entries.count == limit ? .optional(page.entries.last?.id) : .null
            return .json(status: 200, value: .object([("entries", .array(page.entries.map(\.json))),
                                                      ("total", .int(page.total)), ("next", next)]))
        }
    }

    static func show(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await SubscriptionRoutes.withEngine(request, bus: bus) { engine in
            let entry = try await engine.deadLetter(request.pathParameters["id"] ?? "")
            guard case .object(var object) = entry.summary.json else { return .json(status: 200, value: entry.summary.json) }
            object["event"] = (try? JSONReader.parse(entry.event)) ?? .string(String(decoding: entry.event, as: UTF8.self))
            object["attempts"] = .array(entry.attempts.map(\.json))
            return .json(status: 200, value: .object(object))
        }
    }

    static func replay(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await SubscriptionRoutes.withEngine(request, bus: bus) { engine in
            let body: JSONValue
            do { body = try JSONReader.parse(request.body) } catch {
                return ErrorResponses.badRequest("json.invalid", "the body is not valid JSON: \(error)")
            }
            guard case .object(let object) = body else {
                throw BusError.invalid(code: "invalid_request", message: "the body must be a JSON object")
            }
            let known: Set = ["ids", "subscription", "since", "until", "status", "dryRun", "force"]
            if let unknown = object.keys.first(where: { !known.contains($0) }) {
                throw BusError.invalid(code: "invalid_request", message: "unknown key \"\(unknown)\"; the known keys are \(known.sorted().joined(separator: ", "))")
            }
            var ids: [String]?
            if let list = body["ids"] {
                guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }), items.count <= 100_000 else {
                    throw BusError.invalid(code: "invalid_request", message: "ids must be an array of DLQ entry ids (at most 100000)")
                }
                ids = items.compactMap(\.stringValue)
            }
            var query: [String: String] = [:]
            for key in ["subscription", "since", "until"] { query[key] = try string(body, key) }
            if let status = body["status"] {
                guard let text = status.intValue.map(String.init) ?? status.stringValue else {
                    throw BusError.invalid(code: "invalid_request", message: "status must be an HTTP status code or \"none\"")
                }
                query["status"] = text
            }
            let dryRun = try bool(body, "dryRun"), force = try bool(body, "force")
            let filter = try filter(query: query)
            guard ids != nil || filter.subscription != nil else {
                throw BusError.invalid(code: "invalid_request",
                                       message: "name the entries: give \"ids\", or a filter with at least \"subscription\"")
            }
            let report = try await engine.replay(ids: ids, filter: ids == nil ? filter : nil,
                                                 dryRun: dryRun, force: force)
            return .json(status: 200, value: .object([
                ("dryRun", .bool(report.dryRun)), ("matched", .int(report.results.count)),
                ("replayed", .int(report.count(.replayed))), ("skipped", .int(report.count(.skipped))),
                ("failed", .int(report.count(.failed))),
                ("results", .array(report.results.map {
                    .object([("id", .string($0.id)), ("result", .string($0.result.rawValue)), ("reason", .optional($0.reason))])
                })),
            ]))
        }
    }

    /// A string field of the replay body: absent is nil, any other type is refused.
    private static func string(_ body: JSONValue, _ key: String) throws -> String? {
        guard let value = body[key] else { return nil }
        guard let text = value.stringValue else {
            throw BusError.invalid(code: "invalid_request", message: "\(key) must be a string")
        }
        return text
    }

    /// A boolean field of the replay body, false when absent.
    private static func bool(_ body: JSONValue, _ key: String) throws -> Bool {
        guard let value = body[key] else { return false }
        guard let flag = value.boolValue else {
            throw BusError.invalid(code: "invalid_request", message: "\(key) must be true or false")
        }
        return flag
    }

    /// The filter of a listing or bulk replay from query-like values.
    static func filter(query: [String: String]) throws -> DeadLetterFilter {
        var filter = DeadLetterFilter(subscription: query["subscription"])
        for (key, text) in [("since", query["since"]), ("until", query["until"])] {
            guard let text else { continue }
            guard let ms = Timestamp.milliseconds(rfc3339: text) else {
                throw BusError.invalid(code: "query.invalid", message: "\(key) must be an RFC 3339 time such as 2026-11-22T08:00:00+08:00")
            }
            if key == "since" { filter.sinceMs = ms } else { filter.untilMs = ms }
        }
        if let status = query["status"] {
            if status == "none" {
                filter.lastStatus = .some(nil)
            } else if let code = Int(status), (100...599).contains(code) {
                filter.lastStatus = .some(code)
            } else {
                throw BusError.invalid(code: "query.invalid", message: "status must be an HTTP status code or \"none\"")
            }
        }
        if let state = query["state"] {
            if state == "all" {
                filter.states = Set(DeadLetter.State.allCases)
            } else if let value = DeadLetter.State(rawValue: state) {
                filter.states = [value]
            } else {
                throw BusError.invalid(code: "query.invalid", message: "state must be dead, replaying, delivered or all")
            }
        }
        return filter
    }
}
