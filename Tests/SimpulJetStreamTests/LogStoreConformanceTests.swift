import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (issue 8, J1): the bus can stand on either backend — the embedded log and NATS
/// JetStream pass the same `LogStore` behaviour suite.
final class EmbeddedLogStoreConformanceTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var suite: LogStoreConformance!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory("conformance")
        let path = directory.path + "/data"
        suite = LogStoreConformance(open: { try EmbeddedLogStore(directory: path) })
    }

    override func tearDown() { directory.remove() }

    func testAppendedRecordsReadBackWithConsecutiveOffsets() async throws { try await suite.appendedRecordsReadBackWithConsecutiveOffsets() }
    func testKeysOfAnyBytesReadBackAsWritten() async throws { try await suite.keysOfAnyBytesReadBackAsWritten() }
    func testReadsFromAnOffsetInTheMiddleHonourLimits() async throws { try await suite.readsFromAnOffsetInTheMiddleHonourLimits() }
    func testWaitForRecordsWakesOnAppendAndTimesOutOtherwise() async throws { try await suite.waitForRecordsWakesOnAppendAndTimesOutOtherwise() }
    func testPositionsCommitAndSurviveReopening() async throws { try await suite.positionsCommitAndSurviveReopening() }
    func testCreateTopicIsIdempotentAndRecordsSurviveReopening() async throws { try await suite.createTopicIsIdempotentAndRecordsSurviveReopening() }
    func testUnknownTopicsAndPartitionsAreErrors() async throws { try await suite.unknownTopicsAndPartitionsAreErrors() }
    func testPartitionQueriesAndWakeUps() async throws { try await suite.partitionQueriesAndWakeUps() }
    func testLongReadsComeInOrderAcrossPages() async throws { try await suite.longReadsComeInOrderAcrossPages() }
    func testConcurrentAppendsKeepEachBatchTogether() async throws { try await suite.concurrentAppendsKeepEachBatchTogether() }
}

final class JetStreamLogStoreConformanceTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var server: NATSServerProcess!
    private var suite: LogStoreConformance!
    private var settings: JetStreamSettings!

    override func setUpWithError() throws {
        if let reason = NATSServerProcess.unavailableReason { throw XCTSkip(reason) }
        directory = try TemporaryDirectory("jetstream")
        server = try NATSServerProcess(storeDirectory: directory.path + "/store")
        // One server, R1: a test of behaviour, not of durability (the cluster test is J1's).
        let settings = JetStreamSettings(servers: [server.url], replicas: 1, acceptDataLossRisk: true)
        self.settings = settings
        suite = LogStoreConformance(open: { try await JetStreamLogStore(settings: settings) })
    }

    override func tearDown() {
        server?.stop()
        directory?.remove()
    }

    func testAppendedRecordsReadBackWithConsecutiveOffsets() async throws { try await suite.appendedRecordsReadBackWithConsecutiveOffsets() }
    func testKeysOfAnyBytesReadBackAsWritten() async throws { try await suite.keysOfAnyBytesReadBackAsWritten() }
    func testReadsFromAnOffsetInTheMiddleHonourLimits() async throws { try await suite.readsFromAnOffsetInTheMiddleHonourLimits() }
    func testWaitForRecordsWakesOnAppendAndTimesOutOtherwise() async throws { try await suite.waitForRecordsWakesOnAppendAndTimesOutOtherwise() }
    func testPositionsCommitAndSurviveReopening() async throws { try await suite.positionsCommitAndSurviveReopening() }
    func testCreateTopicIsIdempotentAndRecordsSurviveReopening() async throws { try await suite.createTopicIsIdempotentAndRecordsSurviveReopening() }
    func testUnknownTopicsAndPartitionsAreErrors() async throws { try await suite.unknownTopicsAndPartitionsAreErrors() }
    func testPartitionQueriesAndWakeUps() async throws { try await suite.partitionQueriesAndWakeUps() }
    func testLongReadsComeInOrderAcrossPages() async throws { try await suite.longReadsComeInOrderAcrossPages() }
    func testConcurrentAppendsKeepEachBatchTogether() async throws { try await suite.concurrentAppendsKeepEachBatchTogether() }

    /// JetStream's duplicate window drops a second publish with the same event id.
    func testDuplicateEventIDIsStoredOnce() async throws {
        let store = try await JetStreamLogStore(settings: settings)
        let topic = try TopicName("city.dedup")
        try await store.createTopic(topic, partitions: 1)
        let event = AppendRecord(key: Array("evt-42".utf8), value: Array("first".utf8))
        let retry = AppendRecord(key: Array("evt-42".utf8), value: Array("retried".utf8))
        let other = AppendRecord(key: Array("evt-43".utf8), value: Array("other".utf8))
        let first = try await store.append([event], topic: topic, partition: 0)
        let again = try await store.append([retry], topic: topic, partition: 0)
        let next = try await store.append([other], topic: topic, partition: 0)
        XCTAssertEqual(first, 0)
        XCTAssertEqual(again, 0, "the retry is answered with the first publish's offset")
        XCTAssertEqual(next, 1)
        // A pipelined batch with a retried id: answered with the first one's offset, stored once.
        let more = AppendRecord(key: Array("evt-44".utf8), value: Array("more".utf8))
        let batch = try await store.append([retry, more], topic: topic, partition: 0)
        XCTAssertEqual(batch, 0)
        let read = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        XCTAssertEqual(read.map { String(decoding: $0.value, as: UTF8.self) }, ["first", "other", "more"])
        await store.close()
    }

    /// The log takes values up to 1 MiB; a server on NATS's default max_payload (1 MB) does
    /// not: the append is refused up front with the setting to change, and nothing is stored.
    func testRecordOverTheServersMaxPayloadIsRefusedClearly() async throws {
        let store = try await JetStreamLogStore(settings: settings)
        let topic = try TopicName("city.large")
        try await store.createTopic(topic, partitions: 1)
        let large = AppendRecord(key: Array("evt-large".utf8), value: [UInt8](repeating: 0x41, count: LogLimits.recordValueBytesMax))
        do {
            _ = try await store.append([large], topic: topic, partition: 0)
            XCTFail("the server's default max_payload is below the log's record limit")
        } catch let error as JetStreamError {
            XCTAssertTrue(error.description.contains("max_payload: 2MB"), error.description)
        }
        let end = try await store.topics().first { $0.name == topic }?.partitions.first?.endOffset
        XCTAssertEqual(end, 0)
        let fits = AppendRecord(key: Array("evt-fits".utf8), value: [UInt8](repeating: 0x41, count: 900_000))
        let offset = try await store.append([fits], topic: topic, partition: 0)
        XCTAssertEqual(offset, 0)
        let read = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 1, maxBytes: 1 << 20)
        XCTAssertEqual(read.first?.value.count, 900_000)
        await store.close()
    }

    /// Many long polls on one partition (they share one poller) all wake on one append, and
    /// all time out on time when nothing comes.
    func testManyWaitersWakeTogetherAndTimeOutOnTime() async throws {
        let store = try await JetStreamLogStore(settings: settings)
        let topic = try TopicName("city.waiters")
        try await store.createTopic(topic, partitions: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let quiet = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { try await store.waitForRecords(topic: topic, partition: 0, from: 0, timeout: .milliseconds(300)) }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(quiet, Array(repeating: false, count: 20))
        XCTAssertGreaterThanOrEqual(clock.now - start, .milliseconds(290))
        XCTAssertLessThan(clock.now - start, .seconds(2))
        let woken = Task {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await store.waitForRecords(topic: topic, partition: 0, from: 0, timeout: .seconds(20)) }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let appended = clock.now
        _ = try await store.append([AppendRecord(key: Array("w".utf8), value: Array("v".utf8))], topic: topic, partition: 0)
        let answers = try await woken.value
        XCTAssertEqual(answers, Array(repeating: true, count: 50))
        XCTAssertLessThan(clock.now - appended, .seconds(2), "woken by the append, not by their timeout")
        await store.close()
    }

    func testUnreachableClusterIsAClearError() async throws {
        server.stop()
        let gone = JetStreamSettings(servers: [server.url], replicas: 1, acceptDataLossRisk: true, requestTimeoutMs: 500)
        do {
            _ = try await JetStreamLogStore(settings: gone)
            XCTFail("no server listens there")
        } catch let error as JetStreamError {
            XCTAssertTrue(error.description.hasPrefix("cannot reach the NATS cluster at \(server.url)"), error.description)
        }
    }
}
