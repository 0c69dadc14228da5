import SimpulBus
import SimpulMapping
import SimpulServer

/// `POST /v1/events`: CloudEvents in structured mode (`application/cloudevents+json`, one
/// event) or batch mode (`application/cloudevents-batch+json`, an array).
enum CanonicalEventRoutes {
    static func publish(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await Authentication.withPrincipal(request, bus: bus) { principal in
            guard principal.kind == .admin || principal.kind == .publisher else {
                return Authentication.forbidden("consumers cannot publish")
            }
            let batch: Bool
            switch request.mediaType ?? "" {
            case "application/cloudevents-batch+json": batch = true
            case "application/cloudevents+json", "application/json": batch = false
            default:
                return .error(status: 415, code: "format.unsupported", message:
                    "send application/cloudevents+json (one event) or application/cloudevents-batch+json (an array)")
            }
            let events: [JSONValue]
            do {
                let parsed = try JSONReader.parse(request.body)
                switch (batch, parsed) {
                case (true, .array(let items)): events = items
                case (false, .object): events = [parsed]
                default:
                    return ErrorResponses.badRequest("body.invalid", batch ? "a batch is a JSON array of CloudEvents"
                                                                           : "a structured CloudEvent is one JSON object")
                }
            } catch {
                return ErrorResponses.badRequest("json.invalid", "the body is not valid JSON: \(error)")
            }
            do {
                let result = try await bus.publishCanonical(events, body: request.body, publisher: principal)
                return .json(status: result.status, bytes: result.body)
            } catch {
                return ErrorResponses.response(for: error)
            }
        }
    }
}
