import XCTest
@testable import SimpulBus
import SimpulLog
import SimpulTestSupport

/// Goal: event ids are remembered across restarts whether they come from the snapshot,
/// from the topic tail past the snapshot's watermark, or (no snapshot) from the whole
/// topic — and a watermark never claims an event it does not hold.
final class IdempotencyStoreTests: XCTestCase {
    private func append(_ log: Log, _ store: IdempotencyStore, ids: [String]) async throws {
        let topic = try TopicName("t")
        try log.createTopic(topic)
        let first = try await log.partition(topic, 0).append(ids.map {
            AppendRecord(key: Array($0.utf8), value: Array("{\"id\":\"\($0)\",\"data\":{\"v\":1}}".utf8))
        })
        store.remember(events: ids.enumerated().map { index, id in
            (id, EventLocation(topic: "t", partition: 0, offset: first + Int64(index),
                               dataHash: EventCodec.dataHash(Array("{\"v\":1}".utf8)), timeMs: currentTimeMs()))
        })
    }

    func testIdsSurviveThroughSnapshotAndTail() async throws {
        let io = SimulatedStorageIO(seed: 1)
        var log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        var store = try IdempotencyStore(log: log, windowMs: 86_400_000, snapshotEventsMin: 10, io: io)
        for batch in 0..<5 { try await append(log, store, ids: (0..<7).map { "b\(batch)-\($0)" }) }
        while store.isSnapshotting { try await Task.sleep(for: .milliseconds(5)) }
        try await append(log, store, ids: ["late-1", "late-2"])  // after the last snapshot: only in the topic
        await store.close()
        await log.close()
        log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        store = try IdempotencyStore(log: log, windowMs: 86_400_000, snapshotEventsMin: 10, io: io)
        for id in (0..<5).flatMap({ batch in (0..<7).map { "b\(batch)-\($0)" } }) + ["late-1", "late-2"] {
            XCTAssertNotNil(store.event(id), id)
        }
        XCTAssertEqual(store.event("late-2")?.offset, 36)
        XCTAssertEqual(store.event("b0-0")?.dataHash, EventCodec.dataHash(Array("{\"v\":1}".utf8)),
                       "the hash of a recovered event is that of its data")
        await store.close()
        await log.close()
    }

    func testEventsOutsideTheWindowAreForgotten() async throws {
        let io = SimulatedStorageIO(seed: 2)
        let log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        let store = try IdempotencyStore(log: log, windowMs: 1000, io: io)
        try await append(log, store, ids: ["old"])
        XCTAssertNotNil(store.event("old"))
        XCTAssertNil(store.event("old", nowMs: currentTimeMs() + 5000))
        await store.close()
        await log.close()
    }
}
