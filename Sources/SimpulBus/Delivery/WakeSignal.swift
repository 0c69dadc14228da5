import SimpulLog

/// Wakes a delivery worker's loop: an attempt finished, records arrived, settings changed.
/// A signal that comes while nobody waits is kept, so it is never lost. Safe from any task.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0
    }

    private let state = Locked(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal, or after `timeout`.
    func wait(timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation: UInt64? = state.withLock { state in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.waiter = continuation
                state.generation &+= 1
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            Task { [state] in
                try? await Task.sleep(for: timeout)
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.generation == generation, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}
