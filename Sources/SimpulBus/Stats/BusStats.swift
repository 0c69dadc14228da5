import SimpulLog

/// Counters since start, per source and per validation code, for `/v1/stats` and
/// `/metrics`. Safe from any task.
public final class BusStats: Sendable {
    public struct SourceCounters: Sendable, Equatable {
        public var published = 0
        public var rejected = 0
        public var duplicates = 0
        public var bytes = 0
        public var lastPublishedAt: String?
    }

    private let sources = Locked<[String: SourceCounters]>([:])
    private let codes = Locked<[String: Int]>([:])
    /// Histogram of durable append latency, in milliseconds bucket upper bounds.
    public static let latencyBucketsMs: [Double] = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000]
    private let latency = Locked<(buckets: [Int], count: Int, sumMs: Double)>(
        (Array(repeating: 0, count: BusStats.latencyBucketsMs.count + 1), 0, 0))

    public init() {}

    func record(source: String, published: Int, rejected: Int, duplicates: Int, bytes: Int, at time: String) {
        sources.withLock { sources in
            var counters = sources[source] ?? SourceCounters()
            counters.published += published
            counters.rejected += rejected
            counters.duplicates += duplicates
            counters.bytes += bytes
            if published > 0 { counters.lastPublishedAt = time }
            sources[source] = counters
        }
    }

    func record(codes issued: [String]) {
        guard !issued.isEmpty else { return }
        codes.withLock { codes in for code in issued { codes[code, default: 0] += 1 } }
    }

    func recordAppendLatency(ms: Double) {
        latency.withLock { latency in
            let bucket = Self.latencyBucketsMs.firstIndex { ms <= $0 } ?? Self.latencyBucketsMs.count
            latency.buckets[bucket] += 1
            latency.count += 1
            latency.sumMs += ms
        }
    }

    public var perSource: [String: SourceCounters] { sources.withLock { $0 } }
    public var perCode: [String: Int] { codes.withLock { $0 } }
    public var appendLatency: (buckets: [Int], count: Int, sumMs: Double) { latency.withLock { $0 } }
}
