import SimpulBus
import SimpulServer

/// `POST /v1/sources/{source}/records`: a native payload through its adapter.
enum PublishRoutes {
    static let idempotencyKeyBytesMax = 255

    static func publish(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await Authentication.withPrincipal(request, bus: bus) { principal in
            let source = request.pathParameters["source"] ?? ""
            guard bus.adapter(named: source) != nil else { return ErrorResponses.response(for: BusError.unknownSource(source)) }
            guard principal.kind == .admin || (principal.kind == .publisher && principal.sources.contains(source)) else {
                return Authentication.forbidden("this token may not publish to source \"\(source)\"; "
                    + "it may publish to: \(principal.sources.isEmpty ? "no source" : principal.sources.joined(separator: ", "))")
            }
            let key = request.header("Idempotency-Key")
            if let key, key.isEmpty || key.utf8.count > idempotencyKeyBytesMax {
                return ErrorResponses.badRequest("idempotency_key.invalid",
                                                 "an Idempotency-Key must be 1 to \(idempotencyKeyBytesMax) bytes")
            }
            do {
                let result = try await bus.publish(PublishRequest(
                    source: source, body: request.body, contentType: request.header("Content-Type"),
                    fileName: request.query["filename"], idempotencyKey: key, publisher: principal))
                return .json(status: result.status, bytes: result.body)
            } catch {
                return ErrorResponses.response(for: error)
            }
        }
    }
}
