import SimpulLog

/// Attempt lines on their way to a journal: bounded, and written in batches by one task at
/// a time, so recording an attempt never waits on storage; a line that does not fit is
/// counted, and a batch that cannot be written is reported, never retried forever.
/// Safe from any task.
final class AttemptBuffer: Sendable {
    static let linesMax = 100_000
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
            do {
                try await write(batch)
            } catch {
                failed(batch.count, error)
            }
        }
    }
}
