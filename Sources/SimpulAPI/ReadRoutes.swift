import SimpulBus
import SimpulLog
import SimpulMapping
import SimpulServer

/// `GET /v1/topics` and `GET /v1/topics/{topic}/events`: consumers pull with their field
/// policy applied; `wait=` long-polls.
enum ReadRoutes {
    static let limitMax = 1000
    static let waitSecondsMax = 30.0

    static func topics(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await Authentication.withPrincipal(request, bus: bus) { principal in
            guard principal.kind != .publisher else { return Authentication.forbidden("publishers cannot list topics") }
            let states: [PartitionState]
            do {
                states = try await bus.partitionStates()
            } catch {
                return ErrorResponses.response(for: error)
            }
            var items: [JSONValue] = []
            for name in Set(states.map(\.topic)).sorted() where bus.mayRead(principal, topic: name.value) {
                let partitions: [JSONValue] = states.filter { $0.topic == name }.map { state in
                    .object([("partition", .int(state.summary.index)), ("startOffset", .int(state.summary.startOffset)),
                             ("endOffset", .int(state.summary.endOffset)), ("bytes", .int(state.summary.sizeBytes))])
                }
                items.append(.object([("name", .string(name.value)), ("partitions", .array(partitions))]))
            }
            return .json(status: 200, value: .object([("topics", .array(items))]))
        }
    }

    static func events(_ request: HTTPRequest, bus: Bus) async -> HTTPResponse {
        await Authentication.withPrincipal(request, bus: bus) { principal in
            let topic = request.pathParameters["topic"] ?? ""
            guard bus.mayRead(principal, topic: topic) else {
                return Authentication.forbidden("this token may not read topic \"\(topic)\"")
            }
            guard let from = integer(request.query["from"], default: 0), from >= 0 else {
                return ErrorResponses.badRequest("query.invalid", "from must be an offset (a whole number ≥ 0)")
            }
            guard let limit = integer(request.query["limit"], default: 100), (1...Int64(limitMax)).contains(limit) else {
                return ErrorResponses.badRequest("query.invalid", "limit must be between 1 and \(limitMax)")
            }
            guard let partition = integer(request.query["partition"], default: 0), partition >= 0 else {
                return ErrorResponses.badRequest("query.invalid", "partition must be a whole number ≥ 0")
            }
            guard let wait = Double(request.query["wait"] ?? "0"), wait >= 0, wait <= waitSecondsMax else {
                return ErrorResponses.badRequest("query.invalid", "wait must be between 0 and \(Int(waitSecondsMax)) seconds")
            }
            do {
                let page = try await bus.readEvents(topic: topic, partition: Int(partition), from: from, limit: Int(limit),
                                                    wait: .milliseconds(Int(wait * 1000)), principal: principal)
                return .json(status: 200, bytes: page.body)
            } catch {
                return ErrorResponses.response(for: error)
            }
        }
    }

    static func integer(_ text: String?, default value: Int64) -> Int64? {
        guard let text else { return value }
        return Int64(text)
    }
}
