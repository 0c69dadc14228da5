import XCTest
@testable import SimpulLog
import SimpulTestSupport

/// Goal: the embedded `LogStore` keeps topics, records and consumer positions across a
/// restart, and refuses bad names with the rule that was broken.
final class LogStoreTests: XCTestCase {
    func testTopicsRecordsAndPositionsSurviveARestart() async throws {
        let io = SimulatedStorageIO(seed: 1)
        var store = try EmbeddedLogStore(directory: "/data", options: tinyOptions(), io: io)
        let topic = try TopicName("city.population.person")
        try await store.createTopic(topic, partitions: 3)
        try await store.createTopic(topic, partitions: 3)
        for partition in 0..<3 {
            let first = try await store.append([AppendRecord(key: [1], value: [UInt8(partition)])], topic: topic, partition: partition)
            XCTAssertEqual(first, 0)
        }
        try await store.commitPosition(1, consumer: "command-center", topic: topic, partition: 2)
        try await store.commitPosition(0, consumer: "klik-portal", topic: topic, partition: 2)
        await store.close()

        store = try EmbeddedLogStore(directory: "/data", options: tinyOptions(), io: io)
        let summaries = try await store.topics()
        XCTAssertEqual(summaries.map(\.name), [topic])
        XCTAssertEqual(summaries.first?.partitions.map(\.endOffset), [1, 1, 1])
        let records = try await store.read(topic: topic, partition: 1, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        XCTAssertEqual(records.map(\.value), [[1]])
        let commandCenter = try await store.position(consumer: "command-center", topic: topic, partition: 2)
        let nobody = try await store.position(consumer: "nobody", topic: topic, partition: 2)
        XCTAssertEqual(commandCenter, 1)
        XCTAssertNil(nobody)
        await store.close()
    }

    func testPositionsSnapshotKeepsTheLatestOfEveryConsumer() async throws {
        let io = SimulatedStorageIO(seed: 2)
        var store = try EmbeddedLogStore(directory: "/data", options: tinyOptions(), io: io)
        let topic = try TopicName("t")
        for round in 0..<(EmbeddedLogStore.positionsSnapshotInterval + 50) {
            try await store.commitPosition(Int64(round), consumer: "c\(round % 3)", topic: topic, partition: 0)
        }
        await store.close()
        store = try EmbeddedLogStore(directory: "/data", options: tinyOptions(), io: io)
        let last = Int64(EmbeddedLogStore.positionsSnapshotInterval + 49)
        for consumer in 0..<3 {
            let expected = last - Int64((Int(last) - consumer) % 3)
            let position = try await store.position(consumer: "c\(consumer)", topic: topic, partition: 0)
            XCTAssertEqual(position, expected)
        }
        await store.close()
    }

    func testTopicNameRules() {
        for good in ["a", "city.population.person", "simpul.ops", "t-1_2"] {
            XCTAssertNoThrow(try TopicName(good), good)
        }
        let bad: [(String, String)] = [("", "empty"), ("A", "0x41"), ("a/b", "'/'"), ("a..b", "'..'"),
                                       (".hidden", "starts with"), (String(repeating: "a", count: 201), "longer"),
                                       ("..", "'..'"), ("a.b..", "'..'"), ("ü", "0xc3")]
        for (name, reason) in bad {
            XCTAssertThrowsError(try TopicName(name)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(name): \(error)")
            }
        }
    }

    func testUnknownTopicAndPartitionAreTyped() throws {
        let io = SimulatedStorageIO(seed: 3)
        let log = try Log.open(directory: "/data", options: tinyOptions(), io: io)
        XCTAssertThrowsError(try log.partition(try TopicName("nope"), 0)) { error in
            XCTAssertEqual(error as? LogError, .unknownTopic("nope"))
        }
        try log.createTopic(try TopicName("yes"), partitions: 2)
        XCTAssertThrowsError(try log.partition(try TopicName("yes"), 2)) { error in
            XCTAssertEqual(error as? LogError, .unknownPartition(topic: "yes", partition: 2))
        }
        XCTAssertThrowsError(try log.createTopic(try TopicName("zero"), partitions: 0))
    }
}
