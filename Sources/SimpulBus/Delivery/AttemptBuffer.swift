import SimpulLog

/// Attempt lines on their way to a journal: bounded, and written in batches by one task at
/// a time, so recording an attempt never waits on storage; a line that does not fit is
/// counted, and a batch that cannot be written is reported, never retried forever. A
/// cluster that is out of reach for a moment (a leader election, 4 to 9 s) is waited for,
/// up to `unavailableRetryBudget`, before the batch is given up. Safe from any task.
final class AttemptBuffer: Sendable {
    static let linesMax = 100_000
    /// Longer than a JetStream leader election; a lost acknowledgement may then store a
    /// batch twice (an attempt listed twice beats one missing).
    static let unavailableRetryBudget = Duration.seconds(20)
    private let state = Locked<(lines: [[UInt8]], flushing: Bool, dropped: Int)>(([], false, 0))
    private let write: @Sendable ([[UInt8]]) async throws -> Void
    private let failed: @Sendable (_ lines: Int, _ error: any Error) -> Void

    init(write: @escaping @Sendable ([[UInt8]]) async throws -> Void,
         failed: @escaping @Sendable (_ lines: Int, _ error: any Error) -> Void) {
        self.write = write
        self.failed = failed
    }

    func add(_ line: [UInt8]) {
        let startFlush = state.withLock { state -> Bool in
            guard state.lines.count < Self.linesMax else {
                state.dropped += 1
                return false
            }
            state.lines.append(line)
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if startFlush { Task { await flush() } }
    }

    /// Lines that did not fit (a journal that cannot keep up).
    var dropped: Int { state.withLock { $0.dropped } }

    /// Returns once every line added so far was written (or reported as failed).
    func waitUntilWritten() async {
        while state.withLock({ $0.flushing }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [[UInt8]] in
                let taken = state.lines
                state.lines = []
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            await writeRetryingWhileUnavailable(batch)
        }
    }

    private func writeRetryingWhileUnavailable(_ batch: [[UInt8]]) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: Self.unavailableRetryBudget)
        var pause = Duration.milliseconds(100)
        while true {
            do {
                return try await write(batch)
            } catch let error as any LogStoreError where error.isUnavailable && clock.now.advanced(by: pause) < deadline {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            } catch {
                return failed(batch.count, error)
            }
        }
    }
}
