import SimpulLog

/// Keeps this holder's fair share of the leases it wants: announces itself, acquires free
/// ones up to its share, renews those it holds every `interval` (a third of the ttl unless
/// told), hands over what is beyond its share, gives up what is no longer wanted, and says
/// on `changes` when it gained or lost one.
///
/// This is the loop a node runs for the (subscription, partition) leases: deliver a
/// partition only while `holds(name)` is true, start on `.acquired`, stop on `.lost`. A
/// lease whose renew cannot get through (the cluster elects a leader) is kept until its
/// own deadline, then reported lost.
///
/// Rebalancing (`FairShare`): every live holder writes a presence key each round, so each
/// sees how many holders there are and takes at most its share of the free leases. A holder
/// over its share for two checks in a row hands the excess over gracefully: `holds` turns
/// false and `.lost` is reported at once, but the lease stays renewed (no other node can
/// start) until the user calls `handOver` (delivery stopped, cursor committed); only then is
/// it deleted, so another node takes it within its next round instead of after the ttl.
/// Safe from any task.
public final class LeaseKeeper: Sendable {
    public enum Change: Sendable, Hashable {
        case acquired(String)
        /// Taken over, expired, given up or to be handed over: whatever it guarded must stop now.
        case lost(String)
    }

    public let holder: String
    public let interval: Duration
    public let changes: AsyncStream<Change>
    /// A lease being handed over is deleted this long after `.lost` even without `handOver`.
    let handOverTimeout: Duration
    private let leases: JetStreamLeases
    private let continuation: AsyncStream<Change>.Continuation
    private let state: Locked<State>

    private struct State {
        var wanted: Set<String> = []
        var held: [String: Lease] = [:]
        /// Held leases being handed over, with the time they are deleted in any case.
        var handingOver: [String: ContinuousClock.Instant] = [:]
        /// Handed over by the user: delete them now.
        var released: Set<String> = []
        var share: FairShare
        var live: [String: Int] = [:]
        var loop: Task<Void, Never>?
    }

    /// `holder` must be unique to this process (node name and start time, say).
    /// `checkEvery` rounds, the share is checked (hand over only after two checks agree).
    public init(leases: JetStreamLeases, holder: String, interval: Duration? = nil, checkEvery: Int = 2,
                handOverTimeout: Duration = .seconds(30)) {
        self.leases = leases
        self.holder = holder
        self.interval = interval ?? leases.ttl / 3
        self.handOverTimeout = handOverTimeout
        state = Locked(State(share: FairShare(checkEvery: checkEvery)))
        (changes, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .unbounded)
    }

    /// The names this holder should hold from now on (the next round acts on it).
    public func want(_ names: Set<String>) {
        state.withLock { $0.wanted = names }
    }

    /// Whether this holder may act on `name` now: it holds the lease, it is still valid,
    /// and it is not being handed over.
    public func holds(_ name: String) -> Bool {
        state.withLock { ($0.held[name]?.isValid ?? false) && $0.handingOver[name] == nil }
    }

    /// The names this holder may act on now.
    public var heldNames: Set<String> {
        state.withLock { state in
            Set(state.held.filter { $0.value.isValid && state.handingOver[$0.key] == nil }.keys)
        }
    }

    /// The live holders as last seen, with the number of leases each announced.
    public var liveHolders: [String: Int] { state.withLock { $0.live } }

    /// Whatever `names` guarded has stopped (delivery settled, cursor committed): those
    /// being handed over are deleted now, so that another holder can take them at once.
    public func handOver(_ names: Set<String>) {
        state.withLock { state in
            state.released.formUnion(names.filter { state.handingOver[$0] != nil })
        }
    }

    public func start() {
        state.withLock { state in
            guard state.loop == nil else { return }
            state.loop = Task { [self] in
                while !Task.isCancelled {
                    await keepOnce()
                    await waitForNextRound()
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
        let (held, handingOver) = state.withLock { state -> ([Lease], Set<String>) in
            defer {
                state.held = [:]
                state.handingOver = [:]
                state.released = []
            }
            return (Array(state.held.values), Set(state.handingOver.keys))
        }
        // Counted out first: a holder seeing the leases free then already takes them all.
        if releasing { try? await leases.withdraw(holder) }
        for lease in held {
            if releasing { try? await leases.release(lease) }
            if !handingOver.contains(lease.name) { continuation.yield(.lost(lease.name)) }
        }
        continuation.finish()
    }

    /// One round: give up, renew, announce, hand over beyond the share, acquire up to it.
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
        await releaseHandedOver()
        let plan = await planRound(total: wanted.count)
        let handOver = state.withLock { state -> [String] in
            let active = state.held.keys.filter { state.handingOver[$0] == nil }.sorted()
            let chosen = Array(active.suffix(plan.handOver))
            for name in chosen { state.handingOver[name] = ContinuousClock.now + handOverTimeout }
            return chosen
        }
        for name in handOver { continuation.yield(.lost(name)) }
        for name in wanted.subtracting(held.keys).sorted() {
            let holding = state.withLock { state in state.held.keys.filter { state.handingOver[$0] == nil }.count }
            guard holding < plan.holdUpTo else { break }
            guard let lease = try? await leases.acquire(name, holder: holder) else { continue }
            state.withLock { $0.held[name] = lease }
            continuation.yield(.acquired(name))
        }
    }

    /// Announces this holder and reads the others; with the cluster out of reach, the
    /// last view stands (and nothing is handed over on it).
    private func planRound(total: Int) async -> FairShare.Plan {
        let (holding, count) = state.withLock { state in
            (state.held.keys.filter { state.handingOver[$0] == nil }.count, state.held.count)
        }
        let live: [String: Int]?
        do {
            try await leases.announce(holder, holding: count)
            live = try await leases.liveHolders()
        } catch {
            live = nil
        }
        return state.withLock { state in
            guard let live else {
                let share = FairShare.share(of: holder, total: total, live: state.live.keys)
                return FairShare.Plan(holdUpTo: share, handOver: 0)
            }
            state.live = live
            return state.share.plan(holder: holder, holding: holding, total: total, live: live)
        }
    }

    /// Deletes the leases handed over (or whose hand-over took too long), quietly: their
    /// `.lost` was reported when the hand-over began.
    private func releaseHandedOver() async {
        let now = ContinuousClock.now
        let due = state.withLock { state -> [Lease] in
            state.handingOver.filter { state.released.contains($0.key) || $0.value <= now }.keys.compactMap { state.held[$0] }
        }
        for lease in due {
            do {
                try await leases.release(lease)
            } catch where error.isUnavailable && lease.isValid {
                continue  // tried again in a moment; meanwhile it stays renewed and unused
            } catch {}
            state.withLock { state in
                state.held[lease.name] = nil
                state.handingOver[lease.name] = nil
                state.released.remove(lease.name)
            }
        }
    }

    /// Sleeps until the next round, deleting handed-over leases as soon as they are.
    private func waitForNextRound() async {
        let next = ContinuousClock.now + interval
        while !Task.isCancelled, ContinuousClock.now < next {
            try? await Task.sleep(for: min(.milliseconds(50), next - ContinuousClock.now))
            if state.withLock({ !$0.released.isEmpty }) { await releaseHandedOver() }
        }
    }

    private func drop(_ name: String) {
        let quiet = state.withLock { state -> Bool in
            state.held[name] = nil
            state.released.remove(name)
            return state.handingOver.removeValue(forKey: name) != nil
        }
        if !quiet { continuation.yield(.lost(name)) }
    }
}
