import SimpulLog
import SimpulTestSupport

/// The value of the `attempt`-th append of a run: deterministic, of varying length.
func workloadValue(_ attempt: Int, seed: UInt64 = 0) -> [UInt8] {
    var random = SeededRandom(seed: seed &* 1_000_003 &+ UInt64(attempt))
    return (0..<(20 + attempt % 100)).map { _ in UInt8.random(in: 0...255, using: &random) }
}

struct Attempt {
    var value: [UInt8]
    var offset: Int64?
    var error: (any Error)?
}

/// Appends `count` records one after another; with `stopOnError`, the run ends at the
/// first failure (the machine died there).
func runAppends(_ partition: Partition, count: Int, seed: UInt64, stopOnError: Bool) async -> [Attempt] {
    var attempts: [Attempt] = []
    for attempt in 0..<count {
        let value = workloadValue(attempt, seed: seed)
        do {
            let offset = try await partition.append(value: value)
            attempts.append(Attempt(value: value, offset: offset))
        } catch {
            attempts.append(Attempt(value: value, offset: nil, error: error))
            if stopOnError { break }
        }
    }
    return attempts
}

/// Every record of the partition, from its first kept offset.
func readAll(_ partition: Partition) throws -> [LogRecord] {
    try partition.read(from: partition.startOffset, maxRecords: .max, maxBytes: .max)
}
