import SimpulJetStream
import SimpulLog
import XCTest

/// Goal (issue 8): a node that shuts down while its delivery workers still commit
/// positions never touches a libnats object it already destroyed. Every call racing the
/// close is either answered or refused as closed, and closing twice at once is harmless.
/// (A call reaching the freed positions bucket shows here only with freed memory filled,
/// e.g. under AddressSanitizer with `max_free_fill_size` or glibc's `MALLOC_PERTURB_`:
/// libnats itself is not instrumented.)
final class JetStreamCloseTests: XCTestCase {
    func testCallsRacingTwoClosesAreAnsweredOrRefusedAsClosed() async throws {
        let server = try SharedStateTestServer("jetstream-close")
        defer { server.stop() }
        let store = try await JetStreamLogStore(settings: server.settings)
        let topic = try TopicName("city.close.race")
        try await store.createTopic(topic, partitions: 1)
        try await store.commitPosition(1, consumer: "worker", topic: topic, partition: 0)

        let outcomes = await withTaskGroup(of: String.self, returning: [String].self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        if index.isMultiple(of: 2) {
                            try await store.commitPosition(Int64(index), consumer: "worker", topic: topic, partition: 0)
                        } else {
                            _ = try await store.position(consumer: "worker", topic: topic, partition: 0)
                        }
                        return "answered"
                    } catch let error as JetStreamError where error == .closed {
                        return "closed"
                    } catch {
                        return "failed: \(error)"
                    }
                }
                if index == 20 || index == 21 {
                    group.addTask {
                        await store.close()
                        return "close"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 == "close" }.count, 2)
        XCTAssertEqual(outcomes.filter { $0.hasPrefix("failed") }, [], "only answers or 'closed'")
        XCTAssertGreaterThan(outcomes.filter { $0 == "closed" }.count, 0, "calls after the close are refused")
        await store.close()
        do {
            try await store.commitPosition(7, consumer: "worker", topic: topic, partition: 0)
            XCTFail("a closed store accepted a position")
        } catch let error as JetStreamError {
            XCTAssertEqual(error, .closed)
        }
    }
}
