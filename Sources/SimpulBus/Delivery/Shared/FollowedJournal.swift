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
    static let checkInterval: Duration = .seconds(2)

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
        /// Entries in the last snapshot this node wrote or loaded: a new one is written
        /// only after at least as many new entries, so rewriting a large state stays
        /// cheaper than the entries it replaces.
        var snapshotSize: Int64 = 0
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
        // Watching already: a snapshot written and purged while this node loaded the
        // previous one can leave it below the oldest entry with none coming to show it.
        watch.withLock { $0 = Task { [weak self] in await self?.watchFollower(purges: view.purgesCovered) } }
        do {
            try await waitApplied(end)
        } catch {
            await close()
            throw error
        }
        if state.withLock({ $0.caughtUp = true; return startCompactingIfDue(&$0) }) { compactSoon() }
    }

    /// Every `checkInterval`, compares the view with the entries kept. Below the oldest: a
    /// purge went past this node and no entry comes to show the gap (the journal is empty
    /// after it, e.g. a node that loaded a snapshot just before a newer one purged
    /// everything), so it rebuilds. Behind the end without moving since the last check: a
    /// follower that stopped handing entries over, so it follows again from the next
    /// entry to apply (a defence: not seen in the tests).
    private func watchFollower(purges: Bool) async {
        var appliedBefore: Int64 = -1
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.checkInterval)
            guard let kept = try? await log.keptOffsets() else { continue }
            enum Repair { case none, rebuild, refollow }
            let repair = state.withLock { state -> Repair in
                defer { appliedBefore = state.rebuilding ? -1 : state.applied }
                guard !state.closed, !state.rebuilding else { return .none }
                if purges, state.applied < kept.lowerBound {
                    state.rebuilding = true
                    return .rebuild
                }
                return state.applied < kept.upperBound && state.applied == appliedBefore ? .refollow : .none
            }
            switch repair {
            case .none: break
            case .rebuild: await rebuild()
            case .refollow: await refollow()
            }
        }
    }

    /// Stops the follower and follows again from the next entry to apply (the view stays).
    private func refollow() async {
        await log.stop()
        let (generation, next) = state.withLock { state -> (Int, Int64) in
            state.generation += 1
            return (state.generation, state.applied)
        }
        // On failure the next check finds the view still behind and tries again.
        try? await log.follow(from: next) { [weak self] offset, value in
            self?.deliver(offset, value, generation: generation)
        }
        if state.withLock({ $0.closed }) { await log.stop() }
    }

    /// Resets the view to the last snapshot and follows from there.
    private func load() async throws {
        let snapshot = try await log.latestSnapshot()
        let generation = state.withLock { state -> Int in
            state.view?.reset()
            for entry in snapshot?.entries ?? [] { state.view?.apply(-1, entry) }
            state.applied = snapshot?.covers ?? 0
            state.snapshotCovers = max(state.snapshotCovers, snapshot?.covers ?? 0)
            state.snapshotSize = Int64(snapshot?.entries.count ?? 0)
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
              state.applied - state.snapshotCovers >= max(snapshotAfter, state.snapshotSize) else { return false }
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
            guard !state.closed, !state.rebuilding, let view = state.view, let entries = view.snapshot?() else { return nil }
            return (SharedLogSnapshot(covers: state.applied, entries: entries, purgesCovered: view.purgesCovered), state.snapshotCovers)
        }) else {
            state.withLock { $0.compacting = false }
            return
        }
        do {
            let outcome = try await log.writeSnapshot(snapshot, unlessCovering: max(known + 1, snapshot.covers - snapshotAfter / 2))
            state.withLock { state in
                switch outcome {
                case .written:
                    state.snapshotCovers = max(state.snapshotCovers, snapshot.covers)
                    state.snapshotSize = Int64(snapshot.entries.count)
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
