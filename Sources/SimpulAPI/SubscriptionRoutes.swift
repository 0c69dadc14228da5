import SimpulBus
import SimpulMapping
import SimpulServer

/// `/v1/subscriptions` (admins): list, create (the secret is shown once), show, change,
/// pause, resume, delete.
enum SubscriptionRoutes {
    static func list(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            var items: [JSONValue] = []
            for subscription in engine.subscriptions {
                items.append(subscription.json(state: await engine.state(subscription.name)))
            }
            return .json(status: 200, value: .object([("subscriptions", .array(items))]))
        }
    }

    static func create(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            let body: JSONValue
            do { body = try JSONReader.parse(request.body) } catch {
                return ErrorResponses.badRequest("json.invalid", "the body is not valid JSON: \(error)")
            }
            let subscription = try await engine.create(body)
            return .json(status: 201, value: .object([
                ("subscription", subscription.json(state: await engine.state(subscription.name))),
                ("secret", .string(subscription.secret)),
            ]), headers: [("Location", "/v1/subscriptions/\(subscription.name)")])
        }
    }

    static func show(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            let subscription = try engine.subscription(request.pathParameters["name"] ?? "")
            return .json(status: 200, value: subscription.json(state: await engine.state(subscription.name)))
        }
    }

    static func update(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            let patch: JSONValue
            do { patch = try JSONReader.parse(request.body) } catch {
                return ErrorResponses.badRequest("json.invalid", "the body is not valid JSON: \(error)")
            }
            let subscription = try await engine.update(request.pathParameters["name"] ?? "", patch: patch)
            return .json(status: 200, value: subscription.json(state: await engine.state(subscription.name)))
        }
    }

    static func pause(_ request: HTTPRequest, bus: Bus, paused: Bool) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            // An optional `{"reason":"…"}` says why (shown as pausedReason); an empty body is fine.
            let reason = request.body.isEmpty ? nil : (try? JSONReader.parse(request.body))?["reason"]?.stringValue
            let subscription = try await engine.setPaused(request.pathParameters["name"] ?? "", paused, reason: reason)
            return .json(status: 200, value: subscription.json(state: await engine.state(subscription.name)))
        }
    }

    static func delete(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await withEngine(request, bus: bus) { engine in
            try await engine.delete(request.pathParameters["name"] ?? "")
            return HTTPResponse(status: 204, headers: [], body: [])
        }
    }

    /// Admin check, the running engine, and errors as JSON answers.
    static func withEngine(_ request: HTTPRequest, bus: Bus,
                           _ body: (DeliveryEngine) async throws -> HTTPResponse) async -> HTTPResponse {
        if case .failure(let box) = Authentication.admin(request, bus: bus) { return box.response }
        guard let engine = bus.delivery else {
            return .error(status: 503, code: "delivery.unavailable", message: "delivery is not running on this server",
                          headers: [("Retry-After", "30")])
        }
        do {
            return try await body(engine)
        } catch {
            return ErrorResponses.response(for: error)
        }
    }
}
