import SimpulLog

/// Keeps the leases one holder wants: acquires those nobody holds, renews those it holds
/// every `interval` (a third of the ttl unless told), gives up those it no longer wants,
/// and says on `changes` when it gained or lost one.
///
/// This is the loop a node runs for the (subscription, partition) leases: deliver a
/// partition only while `holds(name)` is true, start on `.acquired`, stop on `.lost`. A
/// lease whose renew cannot get through (the cluster elects a leader) is kept until its
/// own deadline, then reported lost. Safe from any task.
public final class LeaseKeeper: Sendable {
    public enum Change: Sendable, Hashable {
        case acquired(String)
        /// Taken over, expired, or given up: whatever it guarded must stop now.
        case lost(String)
    }

    public let holder: String
    public let interval: Duration
    public let changes: AsyncStream<Change>
    private let leases: JetStreamLeases
    private let continuation: AsyncStream<Change>.Continuation
    private let state = Locked(State())

    private struct State {
        var wanted: Set<String> = []
        var held: [String: Lease] = [:]
        var loop: Task<Void, Never>?
    }

    /// `holder` must be unique to this process (node name and start time, say).
    public init(leases: JetStreamLeases, holder: String, interval: Duration? = nil) {
        self.leases = leases
        self.holder = holder
        self.interval = interval ?? leases.ttl / 3
        (changes, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .unbounded)
    }

    /// The names this holder should hold from now on (the next round acts on it).
    public func want(_ names: Set<String>) {
        state.withLock { $0.wanted = names }
    }

    /// Whether this holder may act on `name` now: it holds the lease and it is still valid.
    public func holds(_ name: String) -> Bool {
        state.withLock { $0.held[name]?.isValid ?? false }
    }

    public var heldNames: Set<String> {
        state.withLock { Set($0.held.filter { $0.value.isValid }.keys) }
    }

    public func start() {
        state.withLock { state in
            guard state.loop == nil else { return }
            state.loop = Task { [self] in
                while !Task.isCancelled {
                    await keepOnce()
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    /// Stops the loop; with `releasing`, gives every lease up at once so that other
    /// nodes need not wait out the ttl (without it, as if the process had died).
    public func stop(releasing: Bool = true) async {
        let loop = state.withLock { state -> Task<Void, Never>? in
            defer { state.loop = nil }
            return state.loop
        }
        loop?.cancel()
        await loop?.value
        let held = state.withLock { state -> [Lease] in
            defer { state.held = [:] }
            return Array(state.held.values)
        }
        for lease in held {
            if releasing { try? await leases.release(lease) }
            continuation.yield(.lost(lease.name))
        }
        continuation.finish()
    }

    /// One round: give up, renew, acquire.
    func keepOnce() async {
        let (wanted, held) = state.withLock { ($0.wanted, $0.held) }
        for (name, lease) in held.sorted(by: { $0.key < $1.key }) {
            guard wanted.contains(name) else {
                try? await leases.release(lease)
                drop(name)
                continue
            }
            do {
                let renewed = try await leases.renew(lease)
                state.withLock { $0.held[name] = renewed }
            } catch where error.isUnavailable {
                if !lease.isValid { drop(name) }
            } catch {
                drop(name)
            }
        }
        for name in wanted.subtracting(held.keys).sorted() {
            guard let lease = try? await leases.acquire(name, holder: holder) else { continue }
            state.withLock { $0.held[name] = lease }
            continuation.yield(.acquired(name))
        }
    }

    private func drop(_ name: String) {
        state.withLock { $0.held[name] = nil }
        continuation.yield(.lost(name))
    }
}
