import SimpulLog
import XCTest

/// The behaviour the bus relies on from any `LogStore`, run against each backend by a
/// test case that says how to open its store (and how to reopen the same one).
struct LogStoreConformance {
    /// Opens the store; called again after `close()` to reopen the same data.
    let open: @Sendable () async throws -> any LogStore

    private func records(_ prefix: String, _ count: Int) -> [AppendRecord] {
        (0..<count).map { AppendRecord(key: Array("\(prefix)-\($0)".utf8), value: Array("value \(prefix) \($0)".utf8),
                                       timestampMs: 1_700_000_000_000 + Int64($0)) }
    }

    func appendedRecordsReadBackWithConsecutiveOffsets() async throws {
        let store = try await open()
        let topic = try TopicName("city.roundtrip")
        try await store.createTopic(topic, partitions: 2)
        let first = try await store.append(records("a", 3), topic: topic, partition: 1)
        let second = try await store.append(records("b", 2), topic: topic, partition: 1)
        XCTAssertEqual(first, 0)
        XCTAssertEqual(second, 3)
        let read = try await store.read(topic: topic, partition: 1, from: 0, maxRecords: 100, maxBytes: 1 << 20)
        XCTAssertEqual(read.map(\.offset), [0, 1, 2, 3, 4])
        XCTAssertEqual(read.map { String(decoding: $0.value, as: UTF8.self) },
                       ["value a 0", "value a 1", "value a 2", "value b 0", "value b 1"])
        XCTAssertEqual(read.map { String(decoding: $0.key, as: UTF8.self) }, ["a-0", "a-1", "a-2", "b-0", "b-1"])
        XCTAssertEqual(read.first?.timestampMs, 1_700_000_000_000)
        let empty = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 100, maxBytes: 1 << 20)
        XCTAssertEqual(empty, [], "the other partition holds nothing")
        let summary = try await store.topics().first { $0.name == topic }
        XCTAssertEqual(summary?.partitions.map(\.endOffset), [0, 5])
        XCTAssertEqual(summary?.partitions.map(\.startOffset), [0, 0])
        await store.close()
    }

    /// Keys come back byte for byte, printable or not (JetStream carries a printable key as
    /// the message id and any other in a header of its own).
    func keysOfAnyBytesReadBackAsWritten() async throws {
        let store = try await open()
        let topic = try TopicName("city.keys")
        try await store.createTopic(topic, partitions: 1)
        let keys: [[UInt8]] = [Array("evt-1".utf8), [0x00, 0xFF, 0x20, 0x41], Array("hex:41".utf8), Array("with space".utf8), []]
        _ = try await store.append(keys.map { AppendRecord(key: $0, value: [0x31]) }, topic: topic, partition: 0)
        let read = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        XCTAssertEqual(read.map(\.key), keys)
        await store.close()
    }

    func readsFromAnOffsetInTheMiddleHonourLimits() async throws {
        let store = try await open()
        let topic = try TopicName("city.middle")
        try await store.createTopic(topic, partitions: 1)
        _ = try await store.append(records("m", 10), topic: topic, partition: 0)
        let middle = try await store.read(topic: topic, partition: 0, from: 4, maxRecords: 3, maxBytes: 1 << 20)
        XCTAssertEqual(middle.map(\.offset), [4, 5, 6])
        XCTAssertEqual(middle.first.map { String(decoding: $0.value, as: UTF8.self) }, "value m 4")
        let byBytes = try await store.read(topic: topic, partition: 0, from: 7, maxRecords: 100, maxBytes: 1)
        XCTAssertEqual(byBytes.map(\.offset), [7], "a byte limit below one record still returns one")
        let pastEnd = try await store.read(topic: topic, partition: 0, from: 10, maxRecords: 100, maxBytes: 1 << 20)
        XCTAssertEqual(pastEnd, [])
        await store.close()
    }

    /// Delivery reads pages of up to 512 records: every record once, in order, page after page.
    func longReadsComeInOrderAcrossPages() async throws {
        let store = try await open()
        let topic = try TopicName("city.pages")
        try await store.createTopic(topic, partitions: 1)
        for batch in 0..<7 { _ = try await store.append(records("p\(batch)", 100), topic: topic, partition: 0) }
        var read: [LogRecord] = []
        var pages = 0
        var next: Int64 = 0
        while next < 700 {
            let page = try await store.read(topic: topic, partition: 0, from: next, maxRecords: 512, maxBytes: 8 << 20)
            guard let last = page.last else { return XCTFail("nothing read at offset \(next)") }
            read += page
            pages += 1
            next = last.offset + 1
        }
        XCTAssertEqual(pages, 2)
        XCTAssertEqual(read.map(\.offset), Array(0..<700))
        XCTAssertEqual(read[650].key, Array("p6-50".utf8))
        XCTAssertEqual(read[650].value, Array("value p6 50".utf8))
        let capped = try await store.read(topic: topic, partition: 0, from: 100, maxRecords: 512, maxBytes: 30)
        XCTAssertEqual(capped.map(\.offset), [100, 101, 102], "about maxBytes of values: three of 10 bytes reach 30")
        for batch in 0..<7 { _ = try await store.append(records("q\(batch)", 500), topic: topic, partition: 0) }
        let everything = try await store.read(topic: topic, partition: 0, from: 0, maxRecords: 10_000, maxBytes: 64 << 20)
        XCTAssertEqual(everything.map(\.offset), Array(0..<4200), "one read returns all it may, however many requests it takes")
        await store.close()
    }

    /// Publishers append at the same time: each append's records stay together, in order,
    /// at the offsets it was answered with, and nothing is stored twice.
    func concurrentAppendsKeepEachBatchTogether() async throws {
        let store = try await open()
        let topic = try TopicName("city.concurrent")
        try await store.createTopic(topic, partitions: 2)
        let answers = try await withThrowingTaskGroup(of: (writer: Int, first: Int64).self) { group in
            for writer in 0..<24 {
                group.addTask {
                    (writer, try await store.append(records("w\(writer)", writer % 3 + 1), topic: topic, partition: writer % 2))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for partition in 0..<2 {
            let stored = try await store.read(topic: topic, partition: partition, from: 0, maxRecords: 1000, maxBytes: 1 << 20)
            let mine = answers.filter { $0.writer % 2 == partition }
            XCTAssertEqual(stored.count, mine.reduce(0) { $0 + $1.writer % 3 + 1 }, "partition \(partition): each record once")
            for (writer, first) in mine {
                let keys = stored.filter { $0.offset >= first && $0.offset < first + Int64(writer % 3 + 1) }
                    .map { String(decoding: $0.key, as: UTF8.self) }
                XCTAssertEqual(keys, (0..<writer % 3 + 1).map { "w\(writer)-\($0)" }, "writer \(writer) at \(first)")
            }
        }
        await store.close()
    }

    func waitForRecordsWakesOnAppendAndTimesOutOtherwise() async throws {
        let store = try await open()
        let topic = try TopicName("city.wait")
        try await store.createTopic(topic, partitions: 1)
        let clock = ContinuousClock()
        var timedOut = true
        let quiet = try await clock.measure {
            timedOut = !(try await store.waitForRecords(topic: topic, partition: 0, from: 0, timeout: .milliseconds(200)))
        }
        XCTAssertTrue(timedOut, "nothing was appended")
        XCTAssertGreaterThanOrEqual(quiet, .milliseconds(190))
        XCTAssertLessThan(quiet, .seconds(2))
        let waiter = Task {
            try await store.waitForRecords(topic: topic, partition: 0, from: 0, timeout: .seconds(10))
        }
        try await Task.sleep(for: .milliseconds(50))
        let start = clock.now
        _ = try await store.append(records("w", 1), topic: topic, partition: 0)
        let woke = try await waiter.value
        XCTAssertTrue(woke)
        XCTAssertLessThan(clock.now - start, .seconds(2), "the waiter wakes soon after the append, not at its timeout")
        let already = try await store.waitForRecords(topic: topic, partition: 0, from: 0, timeout: .milliseconds(1))
        XCTAssertTrue(already, "a record at the offset already exists")
        await store.close()
    }

    func positionsCommitAndSurviveReopening() async throws {
        let store = try await open()
        let topic = try TopicName("city.positions")
        try await store.createTopic(topic, partitions: 2)
        let before = try await store.position(consumer: "sub-1", topic: topic, partition: 0)
        XCTAssertNil(before)
        try await store.commitPosition(5, consumer: "sub-1", topic: topic, partition: 0)
        try await store.commitPosition(9, consumer: "sub-1", topic: topic, partition: 0)
        try await store.commitPosition(2, consumer: "sub 2/ü", topic: topic, partition: 1)
        let latest = try await store.position(consumer: "sub-1", topic: topic, partition: 0)
        XCTAssertEqual(latest, 9)
        await store.close()

        let reopened = try await open()
        let afterFirst = try await reopened.position(consumer: "sub-1", topic: topic, partition: 0)
        let afterSecond = try await reopened.position(consumer: "sub 2/ü", topic: topic, partition: 1)
        let otherPartition = try await reopened.position(consumer: "sub-1", topic: topic, partition: 1)
        XCTAssertEqual(afterFirst, 9)
        XCTAssertEqual(afterSecond, 2)
        XCTAssertNil(otherPartition)
        await reopened.close()
    }

    func createTopicIsIdempotentAndRecordsSurviveReopening() async throws {
        let store = try await open()
        let topic = try TopicName("city.idempotent")
        try await store.createTopic(topic, partitions: 3)
        _ = try await store.append(records("i", 2), topic: topic, partition: 2)
        try await store.createTopic(topic, partitions: 3)
        await store.close()

        let reopened = try await open()
        try await reopened.createTopic(topic, partitions: 3)
        let read = try await reopened.read(topic: topic, partition: 2, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        XCTAssertEqual(read.map(\.offset), [0, 1], "creating it again kept its records")
        let summary = try await reopened.topics().first { $0.name == topic }
        XCTAssertEqual(summary?.partitions.map(\.index), [0, 1, 2])
        do {
            try await reopened.createTopic(topic, partitions: 2)
            XCTFail("a different partition count for an existing topic is refused")
        } catch {}
        await reopened.close()
    }

    func unknownTopicsAndPartitionsAreErrors() async throws {
        let store = try await open()
        let unknown = try TopicName("city.nothing")
        await assertThrowsLogError(.unknownTopic("city.nothing")) {
            _ = try await store.append(records("u", 1), topic: unknown, partition: 0)
        }
        await assertThrowsLogError(.unknownTopic("city.nothing")) {
            _ = try await store.read(topic: unknown, partition: 0, from: 0, maxRecords: 1, maxBytes: 100)
        }
        let topic = try TopicName("city.known")
        try await store.createTopic(topic, partitions: 1)
        await assertThrowsLogError(.unknownPartition(topic: "city.known", partition: 1)) {
            _ = try await store.append(records("u", 1), topic: topic, partition: 1)
        }
        await store.close()
    }

    /// What the bus asks between appends: partition counts, one partition's offsets, and a
    /// wake-up when a partition grows (delivery's), none of it for a topic that is not there.
    func partitionQueriesAndWakeUps() async throws {
        let store = try await open()
        let topic = try TopicName("city.seam")
        let missing = try await store.partitionCount(topic)
        XCTAssertNil(missing)
        try await store.createTopic(topic, partitions: 2)
        let count = try await store.partitionCount(topic)
        XCTAssertEqual(count, 2)
        _ = try await store.append(records("s", 4), topic: topic, partition: 1)
        let summary = try await store.summary(topic: topic, partition: 1)
        XCTAssertEqual(summary.index, 1)
        XCTAssertEqual(summary.startOffset, 0)
        XCTAssertEqual(summary.endOffset, 4)
        XCTAssertGreaterThan(summary.sizeBytes, 0)
        let empty = try await store.summary(topic: topic, partition: 0)
        XCTAssertEqual(empty.endOffset, 0)
        await assertThrowsLogError(.unknownPartition(topic: "city.seam", partition: 2)) {
            _ = try await store.summary(topic: topic, partition: 2)
        }
        let unavailable = await store.unavailableReason()
        XCTAssertNil(unavailable, "the store is up")

        let woken = AsyncStream<Void>.makeStream()
        store.notifyWhenRecords(topic: topic, partition: 0, from: 0) { woken.continuation.yield() }
        let clock = ContinuousClock()
        let start = clock.now
        try await Task.sleep(for: .milliseconds(100))
        _ = try await store.append(records("n", 1), topic: topic, partition: 0)
        var iterator = woken.stream.makeAsyncIterator()
        _ = await iterator.next()
        XCTAssertLessThan(clock.now - start, .seconds(3), "woken by the append, well before any fallback wake-up")
        await store.close()
    }

    private func assertThrowsLogError(_ expected: LogError, file: StaticString = #filePath, line: UInt = #line,
                                      _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch let error as LogError {
            XCTAssertEqual(error.description, expected.description, file: file, line: line)
        } catch {
            XCTFail("expected \(expected), got \(error)", file: file, line: line)
        }
    }
}
