import XCTest
@testable import SimpulLog
import SimpulTestSupport

/// Goal (RELIABILITY.md L10): journal state rebuilt from snapshot plus replay always equals
/// the state that was acknowledged, whatever operation of a snapshot write a crash hits.
final class JournalTests: XCTestCase {
    private let directory = "/data/journals/positions"

    /// The model: a running sum of the entries, serialised as text.
    private func state(of entries: [Int]) -> [UInt8] { Array(String(entries.reduce(0, +)).utf8) }

    private func rebuild(_ journal: Journal) throws -> Int {
        var sum = journal.snapshot.flatMap { Int(String(decoding: $0.state, as: UTF8.self)) } ?? 0
        try journal.replay { sum += Int(String(decoding: $0.value, as: UTF8.self).trimmingCharacters(in: .whitespaces)) ?? 0 }
        return sum
    }

    /// An entry padded to 64 bytes, so that a hundred of them roll a few segments.
    private func entry(_ value: Int) -> [UInt8] {
        Array(String(value).padding(toLength: 64, withPad: " ", startingAt: 0).utf8)
    }

    func testSnapshotPlusReplayRebuildsTheState() async throws {
        let io = SimulatedStorageIO(seed: 1)
        var journal = try Journal.open(directory: directory, options: tinyOptions(), io: io)
        var entries: [Int] = []
        for value in 1...150 {
            try await journal.append(entry(value))
            entries.append(value)
            if value == 100 {
                try await journal.writeSnapshot(state(of: entries), nextOffset: journal.partition.endOffset)
            }
        }
        await journal.close()
        journal = try Journal.open(directory: directory, options: tinyOptions(), io: io)
        XCTAssertEqual(journal.snapshot?.nextOffset, 100)
        XCTAssertGreaterThan(journal.partition.startOffset, 0, "entries below the snapshot are compacted away")
        XCTAssertEqual(try rebuild(journal), entries.reduce(0, +))
        await journal.close()
    }

    func testCrashAtEveryOperationOfASnapshotWrite() async throws {
        let clean = SimulatedStorageIO(seed: 2)
        let before = try await prepared(clean)
        let snapshotOperations = clean.operations - before
        XCTAssertGreaterThan(snapshotOperations, 3)
        for n in 1...snapshotOperations {
            for mode in SimulatedStorageIO.CrashMode.allCases {
                let io = SimulatedStorageIO(seed: UInt64(n))
                let start = try await prepared(io, failAfter: n)
                _ = start
                io.crash(mode)
                let journal = try Journal.open(directory: directory, options: tinyOptions(), io: io)
                XCTAssertEqual(try rebuild(journal), (1...60).reduce(0, +), "crash at snapshot operation \(n), mode \(mode)")
                await journal.close()
            }
        }
    }

    /// 60 acknowledged entries, then a snapshot write; with `failAfter`, the machine dies at
    /// that operation of the snapshot write. Returns the operation count before the snapshot.
    private func prepared(_ io: SimulatedStorageIO, failAfter: Int? = nil) async throws -> Int {
        let journal = try Journal.open(directory: directory, options: tinyOptions(), io: io)
        var entries: [Int] = []
        for value in 1...60 {
            try await journal.append(entry(value))
            entries.append(value)
        }
        let before = io.operations
        if let failAfter { io.injectFailure(atOperation: before + failAfter, persistent: true) }
        try? await journal.writeSnapshot(state(of: entries), nextOffset: 60)
        await journal.close()
        return before
    }

    func testDamagedSnapshotIsRefusedNotGuessed() async throws {
        let io = SimulatedStorageIO(seed: 3)
        let journal = try Journal.open(directory: directory, options: tinyOptions(), io: io)
        try await journal.append([1])
        try await journal.writeSnapshot([1, 2, 3], nextOffset: 1)
        await journal.close()
        io.flipBit(path: directory + "/snapshot.snap", byte: FileHeader.bytes + 9, bit: 2)
        XCTAssertThrowsError(try Journal.open(directory: directory, options: tinyOptions(), io: io)) { error in
            guard case LogError.corruption(let damage) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(damage.description.contains("snapshot"))
        }
    }
}
