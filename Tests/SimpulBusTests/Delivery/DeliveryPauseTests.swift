import Foundation
import XCTest
@testable import SimpulBus
import SimpulDelivery
import SimpulLog
import SimpulTestSupport

/// Goal (issue 5): pausing a subscription stops new attempts, but the attempts already on
/// the wire still settle: their answers move the durable cursor while it is paused, so a
/// node that stops or dies during the pause does not send those events again.
final class DeliveryPauseTests: XCTestCase {
    private var fixture: DeliveryFixture!

    override func setUpWithError() throws { fixture = try DeliveryFixture() }
    override func tearDown() { fixture.directory.remove() }

    /// Holds every answer until `open()`; counts what it received.
    private final class GatedTransport: AsyncDeliveryTransport, Sendable {
        private let gate = Locked(false)
        private let received = Locked<[String]>([])

        func open() { gate.withLock { $0 = true } }
        var ids: [String] { received.withLock { $0 } }

        func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
            let id = request.headers.first { $0.name.lowercased() == "webhook-id" }?.value ?? ""
            received.withLock { $0.append(id) }
            while !gate.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            return DeliveryResponse(status: 204, duration: .milliseconds(1), error: nil)
        }
    }

    func testAnswersThatArriveAfterThePauseStillMoveTheCursor() async throws {
        let transport = GatedTransport()
        let bus = try await fixture.openBus(transport)
        let engine = try XCTUnwrap(bus.delivery)
        _ = try await engine.create(DeliveryFixture.subscription("paused-mid-flight", extra: [("maxInFlight", .int(8))]))
        let ids = try await DeliveryFixture.publish(bus, count: 3)
        let inFlight = await eventually(timeout: .seconds(10)) { Set(transport.ids) == Set(ids) }
        XCTAssertTrue(inFlight, "all three sent: \(transport.ids)")

        _ = try await engine.setPaused("paused-mid-flight", true)
        transport.open()
        let topic = try TopicName(DeliveryFixture.topic)
        let committed = await eventually(timeout: .seconds(10)) {
            (try? await bus.store.position(consumer: "delivery:paused-mid-flight", topic: topic, partition: 0)) == 3
        }
        let position = try await bus.store.position(consumer: "delivery:paused-mid-flight", topic: topic, partition: 0)
        XCTAssertTrue(committed, "the cursor passes the settled events while paused: \(position.map(String.init) ?? "none")")
        XCTAssertEqual(transport.ids.count, 3, "nothing new is sent while paused")
        await bus.close()
    }

}
