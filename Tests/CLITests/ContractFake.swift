import Foundation
import Logging
import NIOHTTP1
import SimpulMapping
import SimpulServer
import SimpulTestSupport

/// An in-memory stand-in for the subscriptions and DLQ admin API, written from the
/// delivery contract (`/v1/subscriptions`, `/v1/dlq`, `/v1/dlq/replay`, `/v1/stats`), on the
/// project's own HTTP server at 127.0.0.1. It lets the CLI's rendering and argument
/// handling be tested through the real binary and socket, and records every request.
final class ContractFake: @unchecked Sendable {
    static let token = "fake-admin-token"
    struct Call: Sendable { var method: String; var path: String; var query: [String: String]; var body: JSONValue? }

    private let lock = NSLock()
    private var subscriptions: [JSONValue] = []
    private(set) var entries: [JSONValue] = []
    private var recorded: [Call] = []
    private var server: HTTPServer?
    private(set) var url = ""

    var calls: [Call] { lock.withLock { recorded } }
    var dlqStates: [String] { lock.withLock { entries.map { $0["state"]?.stringValue ?? "?" } } }

    /// `dlqCount` dead entries of `dukcapil-sink`, newest first, one minute apart back from 2026-11-22T03:04:05Z.
    init(dlqCount: Int) throws {
        subscriptions = [Self.subscription(name: "dukcapil-sink", paused: false, breaker: "open", dlq: dlqCount),
                         Self.subscription(name: "portal-feed", paused: true, breaker: "closed", dlq: 0)]
        let base = Date(timeIntervalSince1970: 1_795_316_645)  // 2026-11-22T03:04:05Z
        entries = (0..<dlqCount).map { index in
            Self.entry(id: String(format: "dlq_%05d", index + 1), at: base.addingTimeInterval(-60 * Double(index)), status: index % 3 == 2 ? nil : 500)
        }
        var router = Router()
        for method in [HTTPMethod.GET, .POST, .PATCH, .DELETE] {
            for pattern in ["/v1/subscriptions", "/v1/subscriptions/{name}", "/v1/subscriptions/{name}/{action}", "/v1/dlq",
                            "/v1/dlq/{id}", "/v1/stats"] {
                router.add(method, pattern) { [self] request in handle(request) }
            }
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threadCount = 1
        let server = HTTPServer(configuration: configuration, handler: router, logger: Logger(label: "contract-fake") { _ in SwiftLogNoOpLogHandler() })
        self.server = server
        let port = try blocking { try await server.start() }
        url = "http://127.0.0.1:\(port)"
    }

    func stop() {
        if let server { _ = try? blocking { await server.shutdown() } }
        server = nil
    }

    // MARK: - Routes

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        let body = request.body.isEmpty ? nil : try? JSONReader.parse(request.body)
        lock.withLock { recorded.append(Call(method: request.method.rawValue, path: request.path, query: request.query, body: body)) }
        guard request.header("Authorization") == "Bearer \(Self.token)" else {
            return .error(status: 401, code: "unauthorized", message: "the bearer token is not valid")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        return lock.withLock {
            switch (request.method.rawValue, parts.count >= 2 ? parts[1] : "") {
            case (_, "subscriptions"): return subscriptionRoute(request, parts: parts, body: body)
            case ("POST", "dlq") where parts.count == 3 && parts[2] == "replay": return replay(body ?? .null)
            case ("GET", "dlq") where parts.count == 2: return list(request.query)
            case ("GET", "dlq") where parts.count == 3: return show(parts[2])
            case ("GET", "stats"):
                return json(200, .members([("sources", .array([])), ("topics", .array([])), ("quarantineOpen", .integer(0)),
                                           ("subscriptions", .array(subscriptions.map(Self.statsLine)))]))
            default: return .error(status: 404, code: "not_found", message: "no route")
            }
        }
    }

    private func subscriptionRoute(_ request: HTTPRequest, parts: [String], body: JSONValue?) -> HTTPResponse {
        let name = parts.count > 2 ? parts[2] : ""
        let index = subscriptions.firstIndex { $0["name"]?.stringValue == name }
        switch (request.method.rawValue, parts.count) {
        case ("GET", 2): return json(200, .members([("subscriptions", .array(subscriptions))]))
        case ("POST", 2):
            let requested = body?["name"]?.stringValue ?? ""
            if subscriptions.contains(where: { $0["name"]?.stringValue == requested }) {
                return .error(status: 409, code: "subscription_exists", message: "a subscription named \"\(requested)\" exists; pick another name or delete it first")
            }
            var created = Self.subscription(name: requested, paused: false, breaker: "closed", dlq: 0)
            if case .object(var object) = created, case .object(let fields)? = body {
                for member in fields.members where member.key != "secret" { object[member.key] = member.value }
                created = .object(object)
            }
            subscriptions.append(created)
            return json(201, .members([("subscription", created), ("secret", .string("whsec_c2VjcmV0LXNob3duLW9uY2U="))]))
        case (_, _) where index == nil:
            return .error(status: 404, code: "not_found", message: "no subscription named \"\(name)\"")
        case ("GET", 3): return json(200, subscriptions[index ?? 0])
        case ("DELETE", 3):
            subscriptions.remove(at: index ?? 0)
            return HTTPResponse(status: 204)
        case ("POST", 4) where parts[3] == "pause" || parts[3] == "resume":
            guard case .object(var object) = subscriptions[index ?? 0] else { return HTTPResponse(status: 500) }
            object["paused"] = .bool(parts[3] == "pause")
            object["pausedReason"] = parts[3] == "pause" ? (body?["reason"] ?? .null) : .null
            subscriptions[index ?? 0] = .object(object)
            return json(200, .object(object))
        default: return .error(status: 404, code: "not_found", message: "no route")
        }
    }

    private func list(_ query: [String: String]) -> HTTPResponse {
        let limit = Int(query["limit"] ?? "100") ?? 100
        let state = query["state"]
        var matching = entries.filter { entry in
            (query["subscription"].map { entry["subscription"]?.stringValue == $0 } ?? true)
                && (query["status"].map { $0 == "none" ? entry["lastStatus"] == .null : entry["lastStatus"]?.int == Int64($0) } ?? true)
                && (query["since"].map { (entry["deadLetteredAt"]?.stringValue ?? "") >= $0 } ?? true)
                && (query["until"].map { (entry["deadLetteredAt"]?.stringValue ?? "") < $0 } ?? true)
                && (state == "all" || (state.map { entry["state"]?.stringValue == $0 } ?? (entry["state"]?.stringValue != "delivered")))
        }
        let total = matching.count
        if let after = query["after"], let position = matching.firstIndex(where: { $0["id"]?.stringValue == after }) {
            matching.removeFirst(position + 1)
        }
        let page = Array(matching.prefix(limit))
        let next: JSONValue = matching.count > limit ? (page.last?["id"] ?? .null) : .null
        return json(200, .members([("entries", .array(page)), ("total", .integer(total)), ("next", next)]))
    }

    private func show(_ id: String) -> HTTPResponse {
        guard case .object(var object)? = entries.first(where: { $0["id"]?.stringValue == id }) else {
            return .error(status: 404, code: "not_found", message: "no DLQ entry with id \"\(id)\"")
        }
        object["event"] = .members([("specversion", .string("1.0")), ("id", object["eventId"] ?? .null),
                                    ("type", object["type"] ?? .null), ("data", .members([("kota", .string("Balikpapan"))]))])
        object["attempts"] = .array((1...2).map { attempt in
            .members([("attempt", .integer(attempt)), ("at", .string("2026-11-22T03:0\(attempt):00.000Z")),
                      ("status", attempt == 1 ? .null : .integer(500)),
                      ("error", attempt == 1 ? .string("timeout after 10000 ms") : .null), ("durationMs", .integer(attempt == 1 ? 10000 : 12))])
        })
        return json(200, .object(object))
    }

    private func replay(_ body: JSONValue) -> HTTPResponse {
        let dryRun = body["dryRun"]?.bool ?? false
        let force = body["force"]?.bool ?? false
        var results: [JSONValue] = []
        var counts = ["replayed": 0, "skipped": 0, "failed": 0]
        for id in body["ids"]?.array.compactMap(\.stringValue) ?? [] {
            let index = entries.firstIndex { $0["id"]?.stringValue == id }
            let result: (String, String?)
            switch index.map({ entries[$0]["state"]?.stringValue }) {
            case nil: result = ("failed", "no DLQ entry with id \"\(id)\"")
            case "dead"?: result = ("replayed", nil)
            default: result = force ? ("replayed", nil) : ("skipped", "already replaying or delivered; --force replays it again")
            }
            counts[result.0, default: 0] += 1
            results.append(.members([("id", .string(id)), ("result", .string(result.0)), ("reason", result.1.map { .string($0) } ?? .null)]))
            if let index, result.0 == "replayed", !dryRun, case .object(var object) = entries[index] {
                object["state"] = .string("replaying")
                entries[index] = .object(object)
            }
        }
        return json(200, .members([("dryRun", .bool(dryRun)), ("matched", .integer(results.count)),
                                   ("replayed", .integer(counts["replayed"] ?? 0)), ("skipped", .integer(counts["skipped"] ?? 0)),
                                   ("failed", .integer(counts["failed"] ?? 0)), ("results", .array(results))]))
    }

    private func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.write(value))
    }

    // MARK: - Fixtures

    static func subscription(name: String, paused: Bool, breaker: String, dlq: Int) -> JSONValue {
        .members([
            ("name", .string(name)), ("owner", .string("Dinas Dukcapil")), ("topics", .array([.string("city.population.person")])),
            ("types", .array([])), ("url", .string("https://receiver.example/\(name)")), ("timeoutMs", .integer(10000)),
            ("retry", .members([("delaysMs", .array([0, 5000, 30000, 300_000].map { .integer($0) })), ("retryAfterMaxMs", .integer(3_600_000))])),
            ("ordering", .string("key")), ("maxInFlight", .integer(16)), ("paused", .bool(paused)),
            ("pausedReason", paused ? .string("receiver maintenance") : .null), ("createdAt", .string("2026-11-20T01:00:00.000Z")),
            ("state", .members([("breaker", .string(breaker)), ("delivered", .integer(1200)), ("failed", .integer(dlq)),
                                ("retried", .integer(40)), ("dlq", .integer(dlq)), ("lag", .integer(paused ? 17 : 0)),
                                ("oldestUndeliveredAgeMs", paused ? .integer(5_400_000) : .null)])),
        ])
    }

    static func statsLine(_ subscription: JSONValue) -> JSONValue {
        let state = subscription["state"] ?? .null
        return .members([("name", subscription["name"] ?? .null), ("delivered", state["delivered"] ?? .null), ("failed", state["failed"] ?? .null),
                         ("retried", state["retried"] ?? .null), ("dlq", state["dlq"] ?? .null), ("lag", state["lag"] ?? .null),
                         ("oldestUndeliveredAgeMs", state["oldestUndeliveredAgeMs"] ?? .null), ("breaker", state["breaker"] ?? .null),
                         ("paused", subscription["paused"] ?? .null)])
    }

    static func entry(id: String, at date: Date, status: Int?) -> JSONValue {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return .members([
            ("id", .string(id)), ("subscription", .string("dukcapil-sink")), ("eventId", .string("evt-" + id.dropFirst(4))),
            ("type", .string("city.population.person.upserted")), ("topic", .string("city.population.person")),
            ("partition", .integer(0)), ("offset", .integer(Int(id.dropFirst(4)) ?? 0)), ("deadLetteredAt", .string(formatter.string(from: date))),
            ("attemptCount", .integer(10)), ("lastStatus", status.map { .integer($0) } ?? .null),
            ("lastError", .string(status == nil ? "connection refused" : "HTTP 500 from the receiver")),
            ("reason", .string("attempts exhausted")), ("state", .string("dead")), ("replays", .integer(0)),
        ])
    }
}

extension JSONValue {
    var int: Int64? { if case .number(let text) = self { return Int64(text) }; return nil }
    var bool: Bool? { if case .bool(let value) = self { return value }; return nil }
    var array: [JSONValue] { if case .array(let items) = self { return items }; return [] }
    static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }
    static func members(_ members: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members.map { (key: $0.0, value: $0.1) })) }
}

/// Runs `body` on the concurrency pool and blocks this (test) thread until it ends: the
/// tests stay synchronous, so a blocked test thread never holds a cooperative thread the
/// server's handlers need.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = LockedBox<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    guard let result = box.get() else { throw RawHTTPClient.Failure(description: "no result") }
    return try result.get()
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ newValue: T) { lock.withLock { value = newValue } }
    func get() -> T { lock.withLock { value } }
}
