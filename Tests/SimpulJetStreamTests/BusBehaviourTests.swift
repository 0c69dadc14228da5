import SimpulTestSupport
import XCTest

/// Goal (issue 8): a user sees the same bus over HTTP whichever log it stands on — the
/// behaviour suite of BusBehaviour.swift run on the embedded log and on NATS JetStream.
final class EmbeddedBusBehaviourTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var suite: BusBehaviour!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory("behaviour-embedded")
        suite = BusBehaviour(log: ["backend": "embedded", "freeBytesFloor": 0], directory: directory.path)
    }

    override func tearDown() { directory?.remove() }

    func testSampleIsPublishedWithPerRecordResults() async throws { try await suite.sampleIsPublishedWithPerRecordResults() }
    func testRepeatedPublishIsADuplicateAndAReusedKeyAConflict() async throws { try await suite.repeatedPublishIsADuplicateAndAReusedKeyAConflict() }
    func testRefusedRecordsAreQuarantinedAndRetriedAfterTheAdapterIsFixed() async throws { try await suite.refusedRecordsAreQuarantinedAndRetriedAfterTheAdapterIsFixed() }
    func testEventsAreReadFromAnOffsetInPages() async throws { try await suite.eventsAreReadFromAnOffsetInPages() }
    func testSubscriptionDeliversEachNewEventOnce() async throws { try await suite.subscriptionDeliversEachNewEventOnce() }
    func testGoneReceiverDeadLettersAndReplayDelivers() async throws { try await suite.goneReceiverDeadLettersAndReplayDelivers() }
    func testStatsAndProbesAnswer() async throws { try await suite.statsAndProbesAnswer() }
}

/// One nats-server per test, R1 (behaviour, not durability: the cluster tests are J1's).
final class JetStreamBusBehaviourTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var server: NATSServerProcess!
    private var suite: BusBehaviour!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("behaviour-jetstream")
        server = try NATSServerProcess(storeDirectory: directory.path + "/nats")
        suite = BusBehaviour(log: ["backend": "jetstream", "servers": [server.url], "replicas": 1, "acceptDataLossRisk": true,
                                   "requestTimeoutMs": 2000, "freeBytesFloor": 0, "deliveryLeaseTtlSeconds": 3],
                             directory: directory.path)
    }

    override func tearDown() {
        server?.stop()
        directory?.remove()
    }

    func testSampleIsPublishedWithPerRecordResults() async throws { try await suite.sampleIsPublishedWithPerRecordResults() }
    func testRepeatedPublishIsADuplicateAndAReusedKeyAConflict() async throws { try await suite.repeatedPublishIsADuplicateAndAReusedKeyAConflict() }
    func testRefusedRecordsAreQuarantinedAndRetriedAfterTheAdapterIsFixed() async throws { try await suite.refusedRecordsAreQuarantinedAndRetriedAfterTheAdapterIsFixed() }
    func testEventsAreReadFromAnOffsetInPages() async throws { try await suite.eventsAreReadFromAnOffsetInPages() }
    func testSubscriptionDeliversEachNewEventOnce() async throws { try await suite.subscriptionDeliversEachNewEventOnce() }
    func testGoneReceiverDeadLettersAndReplayDelivers() async throws { try await suite.goneReceiverDeadLettersAndReplayDelivers() }
    func testStatsAndProbesAnswer() async throws { try await suite.statsAndProbesAnswer() }
}
