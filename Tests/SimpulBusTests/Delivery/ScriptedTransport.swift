import Foundation
import SimpulDelivery
import SimpulLog

/// A receiver in memory: answers each attempt by a script and records what it received,
/// so the engine's decisions are tested without sockets (the live sink tests cover those).
final class ScriptedTransport: AsyncDeliveryTransport, @unchecked Sendable {
    struct Received {
        var id: String
        var headers: [String: String]
        var body: [UInt8]
        var atMs: Int64
    }

    /// Answers attempt number `n` (1-based, per event id) of a request.
    typealias Script = @Sendable (_ request: DeliveryRequest, _ attempt: Int) -> DeliveryResponse

    private let lock = NSLock()
    private var script: Script
    private var received: [Received] = []
    private var attemptsByID: [String: Int] = [:]

    init(_ script: @escaping Script = { _, _ in ScriptedTransport.answer(204) }) { self.script = script }

    static func answer(_ status: Int?, error: DeliveryError? = nil, retryAfter: String? = nil) -> DeliveryResponse {
        DeliveryResponse(status: status, duration: .milliseconds(1), error: error, retryAfter: retryAfter)
    }

    func setScript(_ script: @escaping Script) { lock.withLock { self.script = script } }

    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        let id = headers["webhook-id"] ?? ""
        let (script, attempt) = lock.withLock { () -> (Script, Int) in
            attemptsByID[id, default: 0] += 1
            received.append(Received(id: id, headers: headers, body: request.body, atMs: currentTimeMs()))
            return (self.script, attemptsByID[id] ?? 1)
        }
        return script(request, attempt)
    }

    var requests: [Received] { lock.withLock { received } }
    func attempts(of id: String) -> Int { lock.withLock { attemptsByID[id] ?? 0 } }

    /// Waits until `condition` holds on what was received, up to `timeout`.
    func wait(timeout: Duration = .seconds(10), until condition: ([Received]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(requests) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(requests)
    }
}
