import Foundation
@testable import SimpulBus
import SimpulJetStream
import SimpulLog
import SimpulMapping
import SimpulTestSupport
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

        let purged = await eventually(timeout: .seconds(10)) {
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
        let converged = await eventually(timeout: .seconds(5)) { nodeA.view == nodeB.view }
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

        let converged = await eventually(timeout: .seconds(10)) {
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
        let caughtUp = await eventually(timeout: .seconds(5)) { nodeB.view == nodeA.view }
        XCTAssertTrue(caughtUp)

        // B is cut off (a reconnect) while A appends and compacts past where B stopped.
        await nodeB.pendingLog.pause()
        let stoppedAt = nodeB.pendingLog.nextOffset
        let expected = try await (before + Self.churn(nodeA, prefix: "during", rounds: 4)).sorted()
        let purgedPastB = await eventually(timeout: .seconds(10)) {
            ((try? await Self.kept(self.server, "delivery-pending"))?.lowerBound ?? 0) > stoppedAt
        }
        XCTAssertTrue(purgedPastB, "the entries B has not seen were purged")
        XCTAssertNotEqual(nodeB.view, nodeA.view)

        // Following again from where it stopped, B finds a gap and rebuilds from the snapshot.
        try await nodeB.pendingLog.resume()
        let rebuilt = await eventually(timeout: .seconds(10)) { nodeB.view == nodeA.view }
        XCTAssertTrue(rebuilt, "B has \(nodeB.view.pendingEventIDs.count) pending entries, A \(nodeA.view.pendingEventIDs.count)")
        XCTAssertEqual(nodeB.view.pendingEventIDs, expected)

        // A follower that was not cut off went across every purge: it is current too.
        try await nodeB.pending.save([JournalCompactionNode.entry("after-1")])
        let seen = await eventually(timeout: .seconds(5)) { nodeA.view.pendingEventIDs.contains("after-1") }
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
        let purged = await eventually(timeout: .seconds(10)) { ((try? await journal.keptOffsets())?.lowerBound ?? 0) == 570 }
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

    func testTheDLQStartsFromASnapshotOfItsSummariesAndKeepsEveryRecord() async throws {
        let nodeA = try await JournalCompactionNode.open(server.settings, snapshotAfter: 30)
        // 40 dead letters, 20 replayed, 10 of those delivered, 5 dead-lettered again (75 entries).
        let records = (0..<40).map { JournalCompactionNode.deadLetter("dl-\($0)", attempts: 3) }
        try await nodeA.deadLetters.add(records)
        try await nodeA.deadLetters.setState(.replaying, ids: records.prefix(20).map(\.summary.id), countReplay: true)
        try await nodeA.deadLetters.setState(.delivered, ids: records.prefix(10).map(\.summary.id), countReplay: false)
        try await nodeA.deadLetters.add((10..<15).map { JournalCompactionNode.deadLetter("dl-\($0)", attempts: 5) })

        let journal = try await SharedJournal(settings: server.settings, name: "dlq")
        let snapshotted = await eventually(timeout: .seconds(10)) { ((try? await journal.latestSnapshot())?.covers ?? 0) >= 30 }
        XCTAssertTrue(snapshotted, "a snapshot of the DLQ's summaries is written")
        let kept = try await journal.keptOffsets()
        XCTAssertEqual(kept, 0..<75, "the DLQ keeps every entry: summaries point at full records by offset")

        let nodeB = try await JournalCompactionNode.open(server.settings, snapshotAfter: 30)
        XCTAssertEqual(nodeB.deadLetterListing, nodeA.deadLetterListing, "the same listing, order and states")
        XCTAssertEqual(nodeB.deadLetterListing.count, 40)
        XCTAssertEqual(nodeB.deadLetters.counts(), nodeA.deadLetters.counts())
        XCTAssertEqual(nodeB.deadLetters.summary("dl-3")?.state, .delivered)
        XCTAssertEqual(nodeB.deadLetters.summary("dl-12")?.attemptCount, 5, "dead-lettered again after its replay")
        let record = try await nodeB.deadLetters.record("dl-12")
        XCTAssertEqual(record?.attempts.count, 5, "the full record is read where the summary points")
        XCTAssertEqual(record?.event, records[12].event)
        await nodeA.close()
        await nodeB.close()
        await journal.close()
    }

    /// A node started on a long pending journal without a snapshot and one started after
    /// compaction have the same view. With SIMPUL_COMPACTION_FIGURES=1 it is the figures of
    /// docs/design/stateless-nodes.md (about 30 s): 50,000 entries (25,500 retries saved,
    /// 24,500 settled); by default 5,000, a few seconds.
    func testAStartFromTheSnapshotSeesWhatAStartFromTheBeginningSees() async throws {
        let rounds = ProcessInfo.processInfo.environment["SIMPUL_COMPACTION_FIGURES"] == "1" ? 50 : 5
        let journal = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        for round in 0..<rounds {
            let entries = (0..<500).map { JournalCompactionNode.entry("evt-\(round)-\($0)") }
            _ = try await journal.append(batch: entries.map { JSONWriter.write($0.stored) })
            _ = try await journal.append(batch: entries.dropFirst(10).map { JSONWriter.write(.object([("removed", .string($0.identity))])) })
            _ = try await journal.append(batch: entries.prefix(10).map { JSONWriter.write(JournalCompactionNode.entry($0.eventID, attempt: 1).stored) })
        }
        let end = try await journal.endOffset()
        XCTAssertEqual(end, Int64(rounds * 1_000))
        let threshold = min(10_000, rounds * 1_000 / 5)
        var started = ContinuousClock.now
        let uncompacted = try await JournalCompactionNode.open(server.settings, snapshotAfter: 1_000_000)
        let before = ContinuousClock.now - started
        XCTAssertEqual(uncompacted.pending.all.count, rounds * 10)

        let compacting = try await JournalCompactionNode.open(server.settings, snapshotAfter: threshold)
        let purged = await eventually(timeout: .seconds(20)) { ((try? await journal.keptOffsets())?.lowerBound ?? 0) == end }
        XCTAssertTrue(purged)
        started = ContinuousClock.now
        let compacted = try await JournalCompactionNode.open(server.settings, snapshotAfter: threshold)
        let after = ContinuousClock.now - started
        XCTAssertEqual(compacted.view, uncompacted.view)
        print("journal compaction figures: start on \(end) pending entries (\(rounds * 10) live) \(before) without a snapshot, "
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
