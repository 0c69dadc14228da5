import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulTestSupport

/// Goal (issue 5): a partition window full of events that only wait for a free sending
/// slot moves on without writing them to the pending journal (a backlog is not journaled
/// twice), while an event held back by a long retry is set aside so later events still go.
final class DeliveryWindowTests: XCTestCase {
    private var fixture: DeliveryFixture!

    override func setUpWithError() throws { fixture = try DeliveryFixture() }
    override func tearDown() { fixture.directory.remove() }

    func testABacklogIsDeliveredWithoutThePendingJournal() async throws {
        let transport = ScriptedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("backlog", extra: [("maxInFlight", .int(8))]))
        let ids = try await DeliveryFixture.publish(bus, count: 3_000)  // about ten full windows of 256
        let arrived = await transport.wait(timeout: .seconds(30)) { Set($0.map(\.id)).count == ids.count }
        XCTAssertTrue(arrived, "delivered \(Set(transport.requests.map(\.id)).count) of \(ids.count)")
        XCTAssertEqual(engine.context.pendingEntriesWritten, 0, "events waiting only for a slot are not journaled")
        await bus.close()
    }

    func testEventsBehindALongRetryOfTheirKeyDoNotHoldBackOtherKeys() async throws {
        let stuck = Locked<String?>(nil)
        let transport = ScriptedTransport { request, _ in
            let id = request.headers.first { $0.name == "webhook-id" }?.value
            return ScriptedTransport.answer(id == stuck.withLock { $0 } ? 503 : 204)
        }
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("held", delaysMs: [0, 600_000], ordering: "key",
                                                                 extra: [("maxInFlight", .int(8)), ("paused", .bool(true))]))
        let keys = (0..<10).map { "key-\($0)" }
        let first = try await DeliveryFixture.publish(bus, count: 1, keys: ["key-0"])
        stuck.withLock { $0 = first[0] }
        // 200 events of key-0 wait behind it: more than a window, which must not stop the rest.
        let rest = try await DeliveryFixture.publish(bus, count: 2_000, keys: keys)
        _ = try await engine.setPaused("held", false)  // now that the script knows which event to refuse
        let others = rest.enumerated().filter { $0.offset % keys.count != 0 }.map(\.element)
        let arrived = await transport.wait(timeout: .seconds(30)) { Set($0.map(\.id)).isSuperset(of: others) }
        XCTAssertTrue(arrived, "the other keys are delivered: \(Set(transport.requests.map(\.id)).count) ids arrived")
        let sameKey = Set(rest.enumerated().filter { $0.offset % keys.count == 0 }.map(\.element))
        XCTAssertTrue(transport.requests.allSatisfy { !sameKey.contains($0.id) }, "key-0 keeps its order: nothing passes its head")
        XCTAssertGreaterThan(engine.context.pendingEntriesWritten, 1, "besides its own retry, its waiting events were set aside in the journal")
        await bus.close()
    }
}
