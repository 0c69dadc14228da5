import Foundation
import SimpulLog

/// A node's view of a shared journal, kept current by following it: appends wait until
/// the follower applied them, so a node reads its own writes in the journal's one order.
///
/// Compaction (docs/design/stateless-nodes.md): a node starts from the last snapshot and
/// follows only the entries after the offset it covers. Once `snapshotAfter` entries
/// came after the last snapshot, a node writes one of its view, taken between two applied
/// entries (so it covers exactly the entries below its offset), and the journal purges
/// what it covers. Entries are only ever purged below the last snapshot's offset, and
/// offsets are contiguous otherwise: an entry arriving past the next expected offset means
/// this node fell behind a purge, and it rebuilds its view from the last snapshot.
final class FollowedJournal: Sendable {
    /// Consecutive rebuilds that found the same gap before the gap is accepted (a stream
    /// purged outside Simpul would otherwise be reloaded forever).
    static let rebuildsMax = 3
    static let purgeCheckInterval: Duration = .seconds(2)

    let log: any SharedDeliveryLog
    let name: String
    private let snapshotAfter: Int64
    private let state = Locked(State())
    private let watch = Locked<Task<Void, Never>?>(nil)

    private struct State {
        var view: JournalView?
        /// Every entry below it is in the view.
        var applied: Int64 = 0
        /// The offset the last snapshot this node knows of covers.
        var snapshotCovers: Int64 = 0
        /// Bumped by each (re)load; entries from an earlier follow are ignored.
        var generation = 0
        var rebuilding = false
        var rebuildsWithoutProgress = 0
        var compacting = false
        var caughtUp = false
        var closed = false
    }

    private enum Next { case nothing, rebuild, compact }

    init(log: any SharedDeliveryLog, name: String, snapshotAfter: Int = 10_000) {
        self.log = log
        self.name = name
        self.snapshotAfter = Int64(max(1, snapshotAfter))
    }

    /// Loads the last snapshot, follows from the offset it covers and returns once the
    /// history is applied.
    func start(_ view: JournalView) async throws {
        state.withLock { $0.view = view }
        let end = try await log.endOffset()
        try await load()
        try await waitApplied(end)
        if state.withLock({ $0.caughtUp = true; return startCompactingIfDue(&$0) }) { compactSoon() }
        if view.snapshot != nil { watch.withLock { $0 = Task { [weak self] in await self?.watchPurges() } } }
    }

    /// A follower behind a purge that emptied the journal gets no entry to find the gap
    /// with: every `purgeCheckInterval` the node compares its view with the oldest entry
    /// kept.
    private func watchPurges() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.purgeCheckInterval)
            guard let oldest = try? await log.oldestOffset() else { continue }
            let behind = state.withLock { state -> Bool in
                guard !state.closed, !state.rebuilding, state.applied < oldest else { return false }
                state.rebuilding = true
                return true
            }
            if behind { await rebuild() }
        }
    }

    /// Resets the view to the last snapshot and follows from there.
    private func load() async throws {
        let snapshot = try await log.latestSnapshot()
        let generation = state.withLock { state -> Int in
            state.view?.reset()
            for entry in snapshot?.entries ?? [] { state.view?.apply(-1, entry) }
            state.applied = snapshot?.covers ?? 0
            state.snapshotCovers = max(state.snapshotCovers, snapshot?.covers ?? 0)
            state.generation += 1
            state.rebuilding = false
            return state.generation
        }
        try await log.follow(from: snapshot?.covers ?? 0) { [weak self] offset, value in
            self?.deliver(offset, value, generation: generation)
        }
        if state.withLock({ $0.closed }) { await log.stop() }
    }

    private func deliver(_ offset: Int64, _ value: [UInt8], generation: Int) {
        let next = state.withLock { state -> Next in
            guard state.generation == generation, !state.rebuilding, offset >= state.applied else { return .nothing }
            if offset > state.applied, state.rebuildsWithoutProgress < Self.rebuildsMax {
                state.rebuilding = true
                state.rebuildsWithoutProgress += 1
                return .rebuild
            }
            state.view?.apply(offset, value)
            state.applied = offset + 1
            state.rebuildsWithoutProgress = 0
            return startCompactingIfDue(&state) ? .compact : .nothing
        }
        switch next {
        case .nothing: break
        case .rebuild: Task { await self.rebuild() }
        case .compact: compactSoon()
        }
    }

    private func startCompactingIfDue(_ state: inout State) -> Bool {
        guard state.caughtUp, !state.compacting, !state.closed, state.view?.snapshot != nil,
              state.applied - state.snapshotCovers >= snapshotAfter else { return false }
        state.compacting = true
        return true
    }

    /// Entries were purged before this node applied them: rebuild from the last snapshot
    /// (it covers the purge), retrying while the cluster cannot answer.
    private func rebuild() async {
        await log.stop()
        while !state.withLock({ $0.closed }) {
            do {
                try await load()
                return
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Writes a snapshot of the view after a short random pause: nodes reaching the
    /// threshold together then mostly find that another one wrote it already.
    private func compactSoon() {
        Task {
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<500)))
            await compact()
        }
    }

    private func compact() async {
        guard let (snapshot, known) = state.withLock({ state -> (SharedLogSnapshot, Int64)? in
            guard !state.closed, !state.rebuilding, let entries = state.view?.snapshot?() else { return nil }
            return (SharedLogSnapshot(covers: state.applied, entries: entries), state.snapshotCovers)
        }) else {
            state.withLock { $0.compacting = false }
            return
        }
        do {
            let outcome = try await log.writeSnapshot(snapshot, unlessCovering: max(known + 1, snapshot.covers - snapshotAfter / 2))
            state.withLock { state in
                switch outcome {
                case .written: state.snapshotCovers = max(state.snapshotCovers, snapshot.covers)
                case .notNeeded(let covers): state.snapshotCovers = max(state.snapshotCovers, covers)
                case .superseded: break  // the next entry finds the other node's snapshot
                }
                state.compacting = false
            }
        } catch {
            // The journal only grows meanwhile; try again after a pause.
            try? await Task.sleep(for: .seconds(5))
            state.withLock { $0.compacting = false }
        }
    }

    /// Appends and waits until the follower applied the entries.
    @discardableResult
    func append(_ entries: [[UInt8]]) async throws -> Int64 {
        guard !entries.isEmpty else { return try await log.endOffset() }
        let last = try await log.append(entries)
        try await waitApplied(last + 1)
        return last
    }

    /// Waits until every entry below `end` is applied (bounded: a follower cut off from
    /// the cluster makes this an error the caller reports, not a hang).
    func waitApplied(_ end: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while state.withLock({ $0.applied }) < end {
            guard ContinuousClock.now < deadline else {
                throw BusError.storage("the shared journal \(name) did not catch up with the cluster in 30 s; try again")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The offset the view covers (every entry below it is applied) and the one the last
    /// snapshot this node knows of covers.
    var progress: (applied: Int64, snapshotCovers: Int64) {
        state.withLock { ($0.applied, $0.snapshotCovers) }
    }

    func close() async {
        state.withLock { $0.closed = true }
        watch.withLock { $0 }?.cancel()
        await log.stop()
    }
}
