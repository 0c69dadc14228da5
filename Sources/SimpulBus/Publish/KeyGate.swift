import SimpulLog

/// Lets one request at a time work on a given set of keys: a request claims all its keys
/// at once (or waits until none is claimed by another), so 100 concurrent copies of the
/// same publish append once and the other 99 find its result. All-or-nothing claims
/// cannot deadlock. Safe from any task.
final class KeyGate: Sendable {
    private struct State {
        var claimed: Set<String> = []
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Locked(State())

    /// Waits until none of `keys` is claimed, then claims them all.
    func claim(_ keys: Set<String>) async {
        // The common case, free keys, takes no suspension (a resumed continuation costs a
        // trip through the executor on every publish).
        let free = state.withLock { state -> Bool in
            guard state.claimed.isDisjoint(with: keys) else { return false }
            state.claimed.formUnion(keys)
            return true
        }
        if free { return }
        while true {
            let claimed = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.claimed.isDisjoint(with: keys) {
                        state.claimed.formUnion(keys)
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if ready { continuation.resume(returning: true) }
            }
            if claimed { return }
        }
    }

    /// Releases `keys` and wakes every waiter to try again.
    func release(_ keys: Set<String>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.claimed.subtract(keys)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }
}
