import Foundation
@testable import SimpulBus
import SimpulJetStream
import SimpulLog
import SimpulMapping
import XCTest

/// Goal (issue 8, docs/design/stateless-nodes.md "Compaction"): the shared pending and
/// subscription journals do not grow forever, and a node does not replay them from
/// offset 0 at every start. Past a threshold a node writes a snapshot of its view and
/// the entries it covers are purged; a node started later loads the snapshot and follows
/// only what came after, and sees exactly what a node that followed all along sees —
/// also when appends race the snapshot, when a follower falls behind a purge, and on a
/// journal written before compaction existed.
final class JournalCompactionTests: XCTestCase {
    private var server: SharedStateTestServer!

    override func setUpWithError() throws { server = try SharedStateTestServer("journal-compaction") }
    override func tearDown() { server?.stop() }

    func testAJournalPastTheThresholdIsPurgedAndANewNodeSeesWhatAFollowerSees() async throws {
        let nodeA = try await JournalCompactionNode.open(server.settings, snapshotAfter: 100)
        // Subscriptions: 10 names changed 15 times each, one deleted (151 entries, 9 live).
        for version in 0..<15 {
            for number in 0..<10 { try await nodeA.subscriptions.save(JournalCompactionNode.subscription("s\(number)", version: version)) }
        }
        try await nodeA.subscriptions.delete("s9")
        // Pending: 400 entries saved, 200 saved again as retried, 350 settled (950 entries, 50 live).
        let expected = try await Self.churn(nodeA, prefix: "evt", rounds: 10)

        let purged = await eventually(within: .seconds(10)) {
            let pendingKept = (try? await Self.kept(self.server, "delivery-pending")) ?? 0..<0
            let subscriptionsKept = (try? await Self.kept(self.server, "subscriptions")) ?? 0..<0
            return pendingKept.lowerBound > 750 && subscriptionsKept.lowerBound >= 100
        }
        let pendingKept = try await Self.kept(server, "delivery-pending")
        let subscriptionsKept = try await Self.kept(server, "subscriptions")
        XCTAssertTrue(purged, "purged below \(pendingKept.lowerBound) of 950 and \(subscriptionsKept.lowerBound) of 151")
        XCTAssertEqual(pendingKept.upperBound, 950, "offsets go on after a purge")
        XCTAssertLessThan(pendingKept.count, 200, "the pending stream holds what came after the last snapshot")

        let started = ContinuousClock.now
        let nodeB = try await JournalCompactionNode.open(server.settings, snapshotAfter: 100)
        print("journal compaction: a node started on the compacted journals in \(ContinuousClock.now - started)")
        XCTAssertEqual(nodeB.view.pendingEventIDs, expected)
        XCTAssertEqual(nodeB.view, nodeA.view, "the node started from the snapshot sees what the node that followed all along sees")
        XCTAssertEqual(nodeB.subscriptions.all.map(\.name), (0..<9).map { "s\($0)" })
        XCTAssertEqual(nodeB.subscriptions.subscription("s3")?.url, "http://127.0.0.1:9/hook/14", "the last change of each")

        // Both keep going on the compacted journal: each sees the other's changes.
        try await nodeB.pending.remove([JournalCompactionNode.entry(expected[0]).identity])
        try await nodeA.subscriptions.delete("s0")
        let converged = await eventually(within: .seconds(5)) { nodeA.view == nodeB.view }
        XCTAssertTrue(converged)
        XCTAssertEqual(nodeA.view.pendingEventIDs, Array(expected.dropFirst()))
        XCTAssertNil(nodeB.subscriptions.subscription("s0"))
        await nodeA.close()
        await nodeB.close()
    }

    func testAppendsOfTwoNodesRacingTheSnapshotsAreNotLost() async throws {
        let nodeA = try await JournalCompactionNode.open(server.settings, snapshotAfter: 40)
        let nodeB = try await JournalCompactionNode.open(server.settings, snapshotAfter: 40)
        // Both append until the journal was purged at three different offsets meanwhile.
        let purges = Locked<Set<Int64>>([])
        let enough: @Sendable () -> Bool = { purges.withLock { $0.count >= 3 } }
        let server: SharedStateTestServer = self.server
        async let watched: Void = Self.recordPurges(server, into: purges, until: enough)
        async let fromA = Self.churn(nodeA, prefix: "a", rounds: 1_000, batch: 10, until: enough)
        async let fromB = Self.churn(nodeB, prefix: "b", rounds: 1_000, batch: 10, until: enough)
        let expected = try await (fromA + fromB).sorted()
        await watched
        XCTAssertTrue(enough(), "purged at \(purges.withLock { $0.sorted() }) while both nodes appended")

        let converged = await eventually(within: .seconds(10)) {
            nodeA.view.pendingEventIDs == expected && nodeB.view.pendingEventIDs == expected
        }
        XCTAssertTrue(converged, "A has \(nodeA.view.pendingEventIDs.count), B \(nodeB.view.pendingEventIDs.count) of \(expected.count)")
        let nodeC = try await JournalCompactionNode.open(server.settings, snapshotAfter: 40)
        XCTAssertEqual(nodeC.view.pendingEventIDs, expected, "no entry appended during a snapshot is lost")
        XCTAssertEqual(nodeC.view, nodeA.view)
        XCTAssertEqual(nodeB.view, nodeA.view)
        print("journal compaction: \(expected.count) pending entries left by two nodes racing "
              + "\(purges.withLock { $0.count }) purges, the same on a third node")
        await nodeA.close()
        await nodeB.close()
        await nodeC.close()
    }

    func testAFollowerCutOffWhileEntriesArePurgedRebuildsItsView() async throws {
        let nodeA = try await JournalCompactionNode.open(server.settings, snapshotAfter: 50)
        let nodeB = try await JournalCompactionNode.open(server.settings, snapshotAfter: 50)
        let before = try await Self.churn(nodeA, prefix: "before", rounds: 1)
        let caughtUp = await eventually(within: .seconds(5)) { nodeB.view == nodeA.view }
        XCTAssertTrue(caughtUp)

        // B is cut off (a reconnect) while A appends and compacts past where B stopped.
        await nodeB.pendingLog.pause()
        let stoppedAt = nodeB.pendingLog.nextOffset
        let expected = try await (before + Self.churn(nodeA, prefix: "during", rounds: 4)).sorted()
        let purgedPastB = await eventually(within: .seconds(10)) {
            ((try? await Self.kept(self.server, "delivery-pending"))?.lowerBound ?? 0) > stoppedAt
        }
        XCTAssertTrue(purgedPastB, "the entries B has not seen were purged")
        XCTAssertNotEqual(nodeB.view, nodeA.view)

        // Following again from where it stopped, B finds a gap and rebuilds from the snapshot.
        try await nodeB.pendingLog.resume()
        let rebuilt = await eventually(within: .seconds(10)) { nodeB.view == nodeA.view }
        XCTAssertTrue(rebuilt, "B has \(nodeB.view.pendingEventIDs.count) pending entries, A \(nodeA.view.pendingEventIDs.count)")
        XCTAssertEqual(nodeB.view.pendingEventIDs, expected)

        // A follower that was not cut off went across every purge: it is current too.
        try await nodeB.pending.save([JournalCompactionNode.entry("after-1")])
        let seen = await eventually(within: .seconds(5)) { nodeA.view.pendingEventIDs.contains("after-1") }
        XCTAssertTrue(seen)
        XCTAssertEqual(nodeA.view, nodeB.view)
        await nodeA.close()
        await nodeB.close()
    }

    func testAJournalWrittenBeforeCompactionOpensAndIsCompacted() async throws {
        // The previous version's format: plain entries in SIMPULJOURNAL_delivery-pending, no snapshot.
        let journal = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        var expected: [String] = []
        for round in 0..<6 {
            let entries = (0..<50).map { JournalCompactionNode.entry("old-\(round)-\($0)") }
            _ = try await journal.append(batch: entries.map { JSONWriter.write($0.stored) })
            _ = try await journal.append(batch: entries.dropFirst(5).map { JSONWriter.write(.object([("removed", .string($0.identity))])) })
            expected += entries.prefix(5).map(\.eventID)
        }
        expected.sort()
        let snapshotBefore = try await journal.latestSnapshot()
        XCTAssertNil(snapshotBefore)

        let follower = try await JournalCompactionNode.open(server.settings, snapshotAfter: 10_000)
        XCTAssertEqual(follower.view.pendingEventIDs, expected, "the old journal opens as it is")
        let stillUncompacted = try await journal.latestSnapshot()
        XCTAssertNil(stillUncompacted, "below the threshold nothing is written")

        let compacting = try await JournalCompactionNode.open(server.settings, snapshotAfter: 100)
        XCTAssertEqual(compacting.view.pendingEventIDs, expected)
        let purged = await eventually(within: .seconds(10)) { ((try? await journal.keptOffsets())?.lowerBound ?? 0) == 570 }
        XCTAssertTrue(purged, "a node past the threshold compacts the old journal at start")
        let snapshot = try await journal.latestSnapshot()
        XCTAssertEqual(snapshot?.covers, 570)
        XCTAssertEqual(snapshot?.entries.count, expected.count, "the snapshot holds the live entries only")

        let later = try await JournalCompactionNode.open(server.settings, snapshotAfter: 10_000)
        XCTAssertEqual(later.view, follower.view)
        XCTAssertEqual(later.view, compacting.view)
        await follower.close()
        await compacting.close()
        await later.close()
        await journal.close()
    }

    /// The figures of docs/design/stateless-nodes.md (about 30 s; run with
    /// SIMPUL_COMPACTION_FIGURES=1): a node's start on a pending journal of 50,000 entries
    /// (25,500 retries saved, 24,500 settled) without a snapshot, then after compaction.
    func testFiguresStartOnFiftyThousandEntries() async throws {
        guard ProcessInfo.processInfo.environment["SIMPUL_COMPACTION_FIGURES"] == "1" else {
            throw XCTSkip("set SIMPUL_COMPACTION_FIGURES=1 to measure")
        }
        let journal = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        for round in 0..<50 {
            let entries = (0..<500).map { JournalCompactionNode.entry("evt-\(round)-\($0)") }
            _ = try await journal.append(batch: entries.map { JSONWriter.write($0.stored) })
            _ = try await journal.append(batch: entries.dropFirst(10).map { JSONWriter.write(.object([("removed", .string($0.identity))])) })
            _ = try await journal.append(batch: entries.prefix(10).map { JSONWriter.write(JournalCompactionNode.entry($0.eventID, attempt: 1).stored) })
        }
        let end = try await journal.endOffset()
        XCTAssertEqual(end, 50_000)
        var started = ContinuousClock.now
        let uncompacted = try await JournalCompactionNode.open(server.settings, snapshotAfter: 1_000_000)
        let before = ContinuousClock.now - started
        XCTAssertEqual(uncompacted.pending.all.count, 500)

        let compacting = try await JournalCompactionNode.open(server.settings, snapshotAfter: 10_000)
        let purged = await eventually(within: .seconds(20)) { ((try? await journal.keptOffsets())?.lowerBound ?? 0) == end }
        XCTAssertTrue(purged)
        started = ContinuousClock.now
        let compacted = try await JournalCompactionNode.open(server.settings, snapshotAfter: 10_000)
        let after = ContinuousClock.now - started
        XCTAssertEqual(compacted.view, uncompacted.view)
        print("journal compaction figures: start on 50,000 pending entries (500 live) \(before) without a snapshot, "
              + "\(after) from the snapshot; the stream keeps \(try await journal.keptOffsets().count) entries")
        await uncompacted.close()
        await compacting.close()
        await compacted.close()
        await journal.close()
    }

    /// Saves `batch` entries per round, saves them again as retried, settles all but 5;
    /// returns the event ids left pending.
    static func churn(_ node: JournalCompactionNode, prefix: String, rounds: Int, batch: Int = 40,
                      until done: @Sendable () -> Bool = { false }) async throws -> [String] {
        var live: [String] = []
        for round in 0..<rounds where !done() {
            let entries = (0..<batch).map { JournalCompactionNode.entry("\(prefix)-\(round)-\($0)") }
            try await node.pending.save(entries)
            try await node.pending.save(entries.prefix(batch / 2).map { JournalCompactionNode.entry($0.eventID, attempt: 1) })
            try await node.pending.remove(entries.dropFirst(5).map(\.identity))
            live += entries.prefix(5).map(\.eventID)
        }
        return live.sorted()
    }

    /// Records each offset the pending journal is purged below until `done` (15 s at most).
    static func recordPurges(_ server: SharedStateTestServer, into purges: Locked<Set<Int64>>,
                             until done: @Sendable () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(15)
        while !done(), ContinuousClock.now < deadline {
            if let oldest = try? await kept(server, "delivery-pending").lowerBound, oldest > 0 {
                purges.withLock { _ = $0.insert(oldest) }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    static func kept(_ server: SharedStateTestServer, _ name: String) async throws -> Range<Int64> {
        let journal = try await SharedJournal(settings: server.settings, name: name)
        defer { Task { await journal.close() } }
        return try await journal.keptOffsets()
    }
}
