import XCTest
@testable import SimpulBus
import SimpulLog
import SimpulTestSupport

/// Goal: the generational event index answers like one dictionary — the newest location of
/// an id wins across generations, a merge drops what expired (an id expired in a newer
/// generation does not fall back to an older one) — and ids remembered while a snapshot is
/// being written are neither lost in memory nor after a restart.
final class EventIndexTests: XCTestCase {
    func location(_ offset: Int64, timeMs: Int64 = 1000) -> EventLocation {
        EventLocation(topic: "t", partition: 0, offset: offset, dataHash: "h", timeMs: timeMs)
    }

    func testGenerationsMergeNewestFirstAndDropExpired() async {
        var index = EventIndex()
        index["a"] = location(1, timeMs: 10)
        index["b"] = location(2, timeMs: 10)
        let first = index.seal()
        index["a"] = location(3, timeMs: 1000)  // remembered again after the seal
        index["c"] = location(4, timeMs: 1000)
        XCTAssertEqual(index["a"]?.offset, 3, "the newest generation wins")
        XCTAssertEqual(index["b"]?.offset, 2, "older generations are still searched")
        let generations = index.seal()
        XCTAssertEqual(generations.count, 2)
        XCTAssertEqual(first.count, 1)
        let merged = await EventIndex.merge(generations) { $0.timeMs >= 100 }
        XCTAssertEqual(merged.keys.map(\.id).sorted(), ["a", "c"], "b expired; a is kept from its newer generation")
        XCTAssertEqual(merged[EventKey("a")]?.offset, 3)
        index["d"] = location(5)  // during the snapshot
        _ = index.replaceSealed(count: generations.count, with: merged)
        XCTAssertEqual([index["a"]?.offset, index["b"]?.offset, index["c"]?.offset, index["d"]?.offset], [3, nil, 4, 5])
        XCTAssertEqual(index.count, 3)
        let expiredLater = await EventIndex.merge([[EventKey("a"): location(9, timeMs: 1)], [EventKey("a"): location(3, timeMs: 1000)]]) { $0.timeMs >= 100 }
        XCTAssertNil(expiredLater[EventKey("a")], "an id whose newest entry expired does not come back from an older one")
    }

    func testIdsRememberedDuringSnapshotsSurviveARestart() async throws {
        let io = SimulatedStorageIO(seed: 7)
        var log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        var store = try IdempotencyStore(log: log, windowMs: 86_400_000, snapshotEventsMin: 50, io: io)
        let topic = try TopicName("t")
        try log.createTopic(topic)
        var ids: [String] = []
        var snapshotsSeen = 0
        for batch in 0..<40 {
            let run = (0..<25).map { "e\(batch)-\($0)" }
            let first = try await log.partition(topic, 0).append(run.map { AppendRecord(key: Array($0.utf8), value: Array("{\"data\":{}}".utf8)) })
            store.remember(run: run.map { ($0, "h") }, topic: "t", partition: 0, firstOffset: first, timeMs: currentTimeMs())
            ids += run
            if store.isSnapshotting { snapshotsSeen += 1 }
            for id in ids.suffix(60) { XCTAssertNotNil(store.event(id), "\(id) after batch \(batch)") }
        }
        XCTAssertGreaterThan(snapshotsSeen, 0, "no remember ran while a snapshot was being written")
        while store.isSnapshotting { try await Task.sleep(for: .milliseconds(5)) }
        for id in ids { XCTAssertNotNil(store.event(id), id) }
        await store.close()
        await log.close()
        log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        store = try IdempotencyStore(log: log, windowMs: 86_400_000, snapshotEventsMin: 50, io: io)
        for id in ids { XCTAssertNotNil(store.event(id), "\(id) after the restart") }
        XCTAssertEqual(store.event("e39-24")?.offset, 999)
        await store.close()
        await log.close()
    }
}
