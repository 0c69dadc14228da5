import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (issue 8): journals (DLQ, pending retries, subscriptions) shared by every node —
/// what one node appends, every other node sees, in order and once each, and any node can
/// read the history from where it asks, also after a reconnect.
final class SharedJournalTests: XCTestCase {
    private var server: SharedStateTestServer!

    override func setUpWithError() throws { server = try SharedStateTestServer("shared-journal") }
    override func tearDown() { server?.stop() }

    func testWhatOneNodeAppendsEveryNodeSeesInOrderOnceEach() async throws {
        let nodeA = try await SharedJournal(settings: server.settings, name: "dlq")
        let nodeB = try await SharedJournal(settings: server.settings, name: "dlq")
        let seenByA = try await Collector(nodeA.follow(from: 0))
        let seenByB = try await Collector(nodeB.follow(from: 0))

        // Both nodes append at once: 100 entries each.
        async let appendedByA: Void = Self.appendNumbered(nodeA, "a", 0..<100)
        async let appendedByB: Void = Self.appendNumbered(nodeB, "b", 0..<100)
        _ = try await (appendedByA, appendedByB)

        for (node, seen) in [("A", seenByA), ("B", seenByB)] {
            let arrived = await eventually(timeout: .seconds(5)) { seen.count >= 200 }
            XCTAssertTrue(arrived, "node \(node) saw \(seen.count) of 200")
            let entries = seen.entries
            XCTAssertEqual(entries.map(\.offset), (0..<200).map(Int64.init), "node \(node): in order, once each")
            for writer in ["a", "b"] {
                let own = entries.compactMap(\.id).filter { $0.hasPrefix(writer + "-") }
                XCTAssertEqual(own, (0..<100).map { "\(writer)-\($0)" }, "node \(node) sees \(writer)'s entries in its order")
            }
        }
        XCTAssertEqual(seenByA.entries, seenByB.entries)
        let history = try await readAll(nodeB, from: 0, page: 64)
        XCTAssertEqual(history, seenByA.entries, "a read from the start gives what following gave")

        // How soon an entry appended on A reaches B's follower.
        var slowest: Duration = .zero
        for number in 0..<20 {
            let appended = ContinuousClock.now
            let offset = try await nodeA.append(Array("ping \(number)".utf8))
            let arrived = await eventually(timeout: .seconds(2)) { seenByB.entries.last?.offset == offset }
            XCTAssertTrue(arrived, "entry \(offset) did not reach node B within 2 s")
            slowest = max(slowest, ContinuousClock.now - appended)
        }
        print("shared journal: an append on one node reached the other's follower within \(slowest) (slowest of 20)")
        await seenByA.stop()
        await seenByB.stop()
        await nodeA.close()
        await nodeB.close()
    }

    func testAnEntryAppendedTwiceWithOneIdIsStoredOnce() async throws {
        let nodeA = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        let nodeB = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        let first = try await nodeA.append(Array("retry evt-7 at 12:00".utf8), id: "pending-evt-7-1")
        // A node whose PubAck was lost appends again with the same id: JetStream drops it.
        let second = try await nodeB.append(Array("retry evt-7 at 12:00".utf8), id: "pending-evt-7-1")
        XCTAssertEqual(second, first)
        let other = try await nodeB.append(Array("retry evt-8 at 12:00".utf8), id: "pending-evt-8-1")
        XCTAssertEqual(other, first + 1)
        let end = try await nodeA.endOffset()
        XCTAssertEqual(end, 2)
        await nodeA.close()
        await nodeB.close()
    }

    func testReadingAndFollowingAfterAReconnectStartWhereAsked() async throws {
        let writer = try await SharedJournal(settings: server.settings, name: "subscriptions")
        try await Self.appendNumbered(writer, "sub", 0..<30)

        // A node that was away reads from where it left off, page by page.
        let returning = try await SharedJournal(settings: server.settings, name: "subscriptions")
        let tail = try await readAll(returning, from: 10, page: 8)
        XCTAssertEqual(tail.map(\.offset), (10..<30).map(Int64.init))
        XCTAssertEqual(tail.map(\.id), (10..<30).map { "sub-\($0)" })
        let follower = try await Collector(returning.follow(from: 25))
        let caughtUp = await eventually(timeout: .seconds(5)) { follower.count >= 5 }
        XCTAssertTrue(caughtUp)

        // The server restarts (SIGKILL): both clients reconnect, the follower carries on.
        let restarted = ContinuousClock.now
        try server.restart()
        try await retrying(for: .seconds(10)) { try await Self.appendNumbered(writer, "sub", 30..<40) }
        let resumed = await eventually(timeout: .seconds(15)) { follower.count >= 15 }
        XCTAssertTrue(resumed, "after the restart the follower saw \(follower.count - 5) of 10 new entries")
        XCTAssertEqual(follower.entries.map(\.offset), (25..<40).map(Int64.init), "in order, once each, across the restart")
        print("shared journal: follower resumed \(ContinuousClock.now - restarted) after a server restart")
        let fresh = try await SharedJournal(settings: server.settings, name: "subscriptions")
        let latest = try await fresh.read(from: 35, maxEntries: 100)
        XCTAssertEqual(latest.map(\.id), (35..<40).map { "sub-\($0)" })
        await follower.stop()
        await writer.close()
        await returning.close()
        await fresh.close()
    }

    func testABatchIsAppendedInOrderInOneRoundTrip() async throws {
        let journal = try await SharedJournal(settings: server.settings, name: "delivery-pending")
        let values = (0..<500).map { Array("entry \($0)".utf8) }
        let clock = ContinuousClock()
        var last: Int64 = -1
        let batched = try await clock.measure { last = try await journal.append(batch: values) }
        XCTAssertEqual(last, 499, "the offset of the last entry")
        let history = try await readAll(journal, from: 0, page: 512)
        XCTAssertEqual(history.map(\.value), values, "every entry, in the batch's order")
        let oneByOne = try await clock.measure {
            for value in values.prefix(100) { _ = try await journal.append(value) }
        }
        print("shared journal: 500 entries in one batch took \(batched); 100 one by one took \(oneByOne)")
        XCTAssertLessThan(batched, oneByOne * 5, "a batch costs less than its entries one by one")
        await journal.close()
    }

    func testJournalNamesJetStreamCannotHoldAreRefused() async throws {
        for name in ["", "DLQ", "dlq.x", String(repeating: "j", count: 65)] {
            do {
                _ = try await SharedJournal(settings: server.settings, name: name)
                XCTFail("journal name \"\(name)\" accepted")
            } catch let error as SharedStateError {
                guard case .invalidName = error else { return XCTFail("\(error)") }
            }
        }
    }

    private static func appendNumbered(_ journal: SharedJournal, _ prefix: String, _ numbers: Range<Int>) async throws {
        for number in numbers {
            try await journal.append(Array("\(prefix) entry \(number)".utf8), id: "\(prefix)-\(number)")
        }
    }

    private func readAll(_ journal: SharedJournal, from offset: Int64, page: Int) async throws -> [SharedJournalEntry] {
        var entries: [SharedJournalEntry] = []
        var next = offset
        for _ in 0..<1_000 {
            let batch = try await journal.read(from: next, maxEntries: page)
            guard let last = batch.last else { break }
            XCTAssertLessThanOrEqual(batch.count, page)
            entries += batch
            next = last.offset + 1
        }
        return entries
    }

}

/// Gathers what a follower hands over, from a task of its own.
final class Collector: Sendable {
    private let follower: SharedJournalFollower
    private let received = Locked<[SharedJournalEntry]>([])
    private let task: Task<Void, Never>

    init(_ follower: SharedJournalFollower) {
        self.follower = follower
        let received = self.received
        task = Task {
            for await entry in follower.entries { received.withLock { $0.append(entry) } }
        }
    }

    var entries: [SharedJournalEntry] { received.withLock { $0 } }
    var count: Int { entries.count }

    func stop() async {
        await follower.stop()
        await task.value
    }
}
