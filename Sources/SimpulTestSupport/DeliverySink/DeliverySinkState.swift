import Foundation
import NIOCore

/// What one request gets, decided from the mode when the request is complete.
enum DeliverySinkAnswer {
    case status(Int, headers: [(String, String)])
    case hang
    case slowBody(status: Int, bytes: Int, chunkBytes: Int, interval: Duration)
    case hugeBody(status: Int, bytes: Int)
    /// The sink is refusing connections: drop this one.
    case close
}

/// The sink's shared state: the mode, what was received, the open connections. Touched by
/// the event loop threads and the test; every access holds the lock.
final class DeliverySinkState: @unchecked Sendable {
    private let lock = NSLock()
    private let recording: DeliverySink.Recording
    private var mode: DeliverySink.Mode = .accept
    private var failuresLeft = 0
    private var received: [DeliverySink.Request] = []
    private var requestTotal = 0
    private var countsByID: [String: Int] = [:]
    private var firstArrivalByID: [String: ContinuousClock.Instant] = [:]
    private var connectionsAccepted = 0
    private var openChannels: [ObjectIdentifier: any Channel] = [:]

    init(recording: DeliverySink.Recording) {
        self.recording = recording
    }

    func setMode(_ newMode: DeliverySink.Mode) {
        lock.withLock {
            mode = newMode
            if case .failFirst(let count, _, _) = newMode { failuresLeft = count }
        }
    }

    var currentMode: DeliverySink.Mode { lock.withLock { mode } }

    /// A new connection: its number, or nil when the sink is refusing connections.
    func opened(_ channel: any Channel) -> Int? {
        lock.withLock {
            if case .refuseConnections = mode { return nil }
            connectionsAccepted += 1
            openChannels[ObjectIdentifier(channel)] = channel
            return connectionsAccepted
        }
    }

    func closed(_ channel: any Channel) {
        lock.withLock { openChannels[ObjectIdentifier(channel)] = nil }
    }

    /// Forgets the open connections and returns them, to be closed.
    func takeOpenChannels() -> [any Channel] {
        lock.withLock {
            let channels = Array(openChannels.values)
            openChannels = [:]
            return channels
        }
    }

    /// Whether the handler must build the whole `Request` (else `receive(webhookID:at:)`
    /// will do): when everything is recorded, or a predicate needs to see it.
    var needsWholeRequest: Bool {
        lock.withLock {
            if case .failMatching = mode { return true }
            return recording == .everything
        }
    }

    /// Records a complete request and decides its answer.
    func receive(_ request: DeliverySink.Request) -> DeliverySinkAnswer {
        let mode = lock.withLock { () -> DeliverySink.Mode in
            count(webhookID: request.webhookID, at: request.receivedInstant)
            if recording == .everything { received.append(request) }
            return self.mode
        }
        return answer(mode, to: request)
    }

    /// Records a request by its id alone (benchmarks) and decides its answer.
    func receive(webhookID: String?, at instant: ContinuousClock.Instant) -> DeliverySinkAnswer {
        let mode = lock.withLock { () -> DeliverySink.Mode in
            count(webhookID: webhookID, at: instant)
            return self.mode
        }
        return answer(mode, to: nil)
    }

    private func count(webhookID: String?, at instant: ContinuousClock.Instant) {
        requestTotal += 1
        guard let webhookID else { return }
        countsByID[webhookID, default: 0] += 1
        if firstArrivalByID[webhookID] == nil { firstArrivalByID[webhookID] = instant }
    }

    /// `request` is nil only when `needsWholeRequest` was false.
    private func answer(_ mode: DeliverySink.Mode, to request: DeliverySink.Request?) -> DeliverySinkAnswer {
        switch mode {
        case .respond(let status):
            return .status(status, headers: [])
        case .failFirst(_, let status, let thenStatus):
            let failing = lock.withLock { () -> Bool in
                guard failuresLeft > 0 else { return false }
                failuresLeft -= 1
                return true
            }
            return .status(failing ? status : thenStatus, headers: [])
        case .failMatching(let status, let otherwise, let matches):
            // The mode changed to failMatching after the handler asked: judge it next time.
            guard let request else { return .status(otherwise, headers: []) }
            return .status(matches(request) ? status : otherwise, headers: [])
        case .hang:
            return .hang
        case .refuseConnections:
            return .close
        case .rateLimited(let retryAfter):
            return .status(429, headers: [("Retry-After", retryAfter)])
        case .slowBody(let status, let bytes, let chunkBytes, let interval):
            return .slowBody(status: status, bytes: bytes, chunkBytes: max(1, chunkBytes), interval: interval)
        case .hugeBody(let status, let bytes):
            return .hugeBody(status: status, bytes: bytes)
        case .redirect(let url, let status):
            return .status(status, headers: [("Location", url)])
        }
    }

    var requests: [DeliverySink.Request] { lock.withLock { received } }
    var requestCount: Int { lock.withLock { requestTotal } }
    var connectionCount: Int { lock.withLock { connectionsAccepted } }
    var openConnectionCount: Int { lock.withLock { openChannels.count } }
    var requestsPerWebhookID: [String: Int] { lock.withLock { countsByID } }
    var distinctWebhookIDCount: Int { lock.withLock { countsByID.count } }
    var firstArrivals: [String: ContinuousClock.Instant] { lock.withLock { firstArrivalByID } }

    func reset() {
        lock.withLock {
            received = []
            requestTotal = 0
            countsByID = [:]
            firstArrivalByID = [:]
            connectionsAccepted = 0
        }
    }
}
