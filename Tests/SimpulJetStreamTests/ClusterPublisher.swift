import Foundation
import SimpulTestSupport

/// The test's publishing client for a two-node cluster, doing what a well-behaved
/// publisher does: each event is sent through the nodes alternately, and one that is
/// refused (`503`) or whose node cannot be reached or hangs up is sent again with the same
/// event id (through the other node first) until a `2xx` acknowledges it. An event counts
/// as acknowledged only then, and once.
///
/// `workers` threads each publish their own events in order, one at a time, paced to
/// `eventsPerSecond` in all; an event's partition key belongs to one worker, so the
/// publish order of each key is the order of its event indices.
final class ClusterPublisher: @unchecked Sendable {
    struct Outcome {
        /// Acknowledged event ids, each once, in acknowledgement order.
        var acknowledged: [String]
        /// Acknowledgements per node name.
        var acknowledgedBy: [String: Int] = [:]
        /// Ids answered `503` at least once (each later acknowledged, or still open).
        var refused: Set<String>
        var refusals503 = 0
        /// Attempts whose node could not be reached or closed without answering.
        var unreachable = 0
        /// Answers other than 2xx and 503: a bug (the event is not retried).
        var unexpected: [String: String] = [:]
        /// Ids never acknowledged before the deadline.
        var unfinished: [String] = []
    }

    /// The event indices this publisher sends (event ids and keys derive from them).
    let indices: Range<Int>
    private let nodes: [SimpulServeNode]
    private let token: String
    private let workers: Int
    private let interval: Double
    private let lock = NSLock()
    private var outcome = Outcome(acknowledged: [], refused: [])
    private let finished = DispatchGroup()

    /// Partition keys in use: event `i` has key `i % keys`.
    static let keys = 16

    init(nodes: [SimpulServeNode], token: String, indices: Range<Int>, eventsPerSecond: Double, workers: Int = 8) {
        precondition(Self.keys % workers == 0, "each key must belong to one worker")
        self.nodes = nodes
        self.token = token
        self.indices = indices
        self.workers = workers
        interval = 1 / eventsPerSecond
    }

    static func id(_ index: Int) -> String { "cluster-evt-\(index)" }
    static func key(_ index: Int) -> String { "key-\(index % keys)" }

    /// Starts the workers; they stop once every event is acknowledged or at `deadline`.
    func start(deadline: Date) {
        let start = Date()
        for worker in 0..<workers {
            finished.enter()
            Thread.detachNewThread { [self] in
                defer { finished.leave() }
                for index in stride(from: indices.lowerBound + worker, to: indices.upperBound, by: workers) {
                    let due = start.addingTimeInterval(Double(index - indices.lowerBound) * interval)
                    if due > Date() { Thread.sleep(until: due) }
                    publish(index, deadline: deadline)
                }
            }
        }
    }

    /// Whether every worker is done (all acknowledged, or the deadline passed).
    var isFinished: Bool { finished.wait(timeout: .now()) == .success }

    /// What happened so far (final once `isFinished`).
    var result: Outcome { lock.withLock { outcome } }

    var acknowledgedCount: Int { lock.withLock { outcome.acknowledged.count } }

    private func publish(_ index: Int, deadline: Date) {
        let id = Self.id(index)
        let body = #"[{"specversion":"1.0","id":"\#(id)","source":"/balikpapan/dpmptsp/oss","#
            + #""type":"city.business.business.upserted","dataschema":"schemas/business.v1.json","#
            + #""subject":"business/9120001234567","partitionkey":"\#(Self.key(index))","#
            + #""data":{"nib":"9120001234567","name":"CV \#(id)","kbli":[{"code":"47111","title":"Perdagangan eceran"}]}}]"#
        var attempt = 0
        while Date() < deadline {
            let node = nodes[(index + attempt) % nodes.count]
            attempt += 1
            let response = node.request("POST", "/v1/events", token: token, body: body,
                                        contentType: "application/cloudevents-batch+json", timeoutSeconds: 15)
            switch response?.status {
            case 200?, 202?:
                lock.withLock {
                    outcome.acknowledged.append(id)
                    outcome.acknowledgedBy[node.name, default: 0] += 1
                }
                return
            case 503?:
                lock.withLock {
                    outcome.refusals503 += 1
                    outcome.refused.insert(id)
                }
            case nil:
                lock.withLock { outcome.unreachable += 1 }
            case let status?:
                lock.withLock { outcome.unexpected[id] = "\(status) from \(node.name): \(response?.bodyText.prefix(300) ?? "")" }
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        lock.withLock { outcome.unfinished.append(id) }
    }
}
