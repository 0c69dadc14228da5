import SimpulJetStream
import SimpulTestSupport
import XCTest

/// Goal (issue 8): idempotency holds across nodes — the first node to remember a key wins,
/// every other gets the first one's answer, and keys are forgotten after the window.
final class SharedKeysTests: XCTestCase {
    private var server: SharedStateTestServer!

    override func setUpWithError() throws { server = try SharedStateTestServer("shared-keys") }
    override func tearDown() { server?.stop() }

    func testOfTwoNodesRememberingOneKeyAtOnceOneIsFirstAndTheOtherGetsItsValue() async throws {
        let nodeA = try await SharedKeys(settings: server.settings, window: .seconds(60))
        let nodeB = try await SharedKeys(settings: server.settings, window: .seconds(60))
        for round in 0..<20 {
            // Idempotency-Keys are any text: spaces and non-ASCII go in hex, plain ones as they are.
            let key = round.isMultiple(of: 2) ? "batch-\(round)" : "kunci idempoten \(round) ✓"
            let valueA = Array("201 from node-a, round \(round)".utf8)
            let valueB = Array("201 from node-b, round \(round)".utf8)
            async let first = nodeA.remember(key, value: valueA)
            async let second = nodeB.remember(key, value: valueB)
            let (outcomeA, outcomeB) = try await (first, second)
            switch (outcomeA, outcomeB) {
            case (.new, .existing(let seen)):
                XCTAssertEqual(seen, valueA, "round \(round)")
            case (.existing(let seen), .new):
                XCTAssertEqual(seen, valueB, "round \(round)")
            default:
                XCTFail("round \(round): not exactly one first: \(outcomeA), \(outcomeB)")
            }
            let stored = try await nodeA.value(of: key)
            XCTAssertEqual(stored, outcomeA == .new ? valueA : valueB)
        }
        // A third call much later still gets the first answer, never stores its own.
        let again = try await nodeB.remember("batch-0", value: Array("late".utf8))
        XCTAssertNotEqual(again, .new)
        await nodeA.close()
        await nodeB.close()
    }

    /// Writes are pipelined on a node's one connection: many keys at once, each remembered
    /// twice at the same moment, still give exactly one first per key.
    func testManyKeysRememberedAtOnceThroughOneNodeAreEachFirstOnce() async throws {
        let node = try await SharedKeys(settings: server.settings, window: .seconds(60))
        let keys = (0..<100).map { "evt-many-\($0)" }
        let outcomes = try await withThrowingTaskGroup(of: (String, Int, SharedKeys.Outcome).self) { group in
            for key in keys {
                for caller in 0..<2 {
                    group.addTask { (key, caller, try await node.remember(key, value: Array("\(key) by \(caller)".utf8))) }
                }
            }
            var outcomes: [String: [Int: SharedKeys.Outcome]] = [:]
            for try await (key, caller, outcome) in group { outcomes[key, default: [:]][caller] = outcome }
            return outcomes
        }
        for key in keys {
            let firsts = (0..<2).filter { outcomes[key]?[$0] == .new }
            XCTAssertEqual(firsts.count, 1, "\(key): \(outcomes[key] ?? [:])")
            guard let first = firsts.first else { continue }
            let value = Array("\(key) by \(first)".utf8)
            XCTAssertEqual(outcomes[key]?[1 - first], .existing(value), key)
            let stored = try await node.value(of: key)
            XCTAssertEqual(stored, value, key)
        }
        await node.close()
    }

    func testAKeyIsForgottenOnceTheWindowHasPassed() async throws {
        let window: Duration = .seconds(1)
        let nodeA = try await SharedKeys(settings: server.settings, bucket: "simpul_idempotency_short", window: window)
        let nodeB = try await SharedKeys(settings: server.settings, bucket: "simpul_idempotency_short", window: window)
        let remembered = ContinuousClock.now
        let first = try await nodeA.remember("evt-1", value: Array("node-a".utf8))
        XCTAssertEqual(first, .new)
        let duplicate = try await nodeB.remember("evt-1", value: Array("node-b".utf8))
        XCTAssertEqual(duplicate, .existing(Array("node-a".utf8)))
        let forgotten = await eventually(timeout: .seconds(6)) {
            do {
                return try await nodeB.value(of: "evt-1") == nil
            } catch {
                return false
            }
        }
        let gone = ContinuousClock.now - remembered
        XCTAssertTrue(forgotten, "the key outlived its window of \(window)")
        XCTAssertGreaterThanOrEqual(gone, window, "forgotten before the window passed")
        print("idempotency key forgotten \(gone) after it was remembered (window \(window))")
        let afterWindow = try await nodeB.remember("evt-1", value: Array("node-b".utf8))
        XCTAssertEqual(afterWindow, .new)
        await nodeA.close()
        await nodeB.close()
    }

    func testKeysSimpulCannotStoreAreRefusedWithAReason() async throws {
        let node = try await SharedKeys(settings: server.settings, window: .seconds(60))
        for key in ["", String(repeating: "k", count: 600)] {
            do {
                _ = try await node.remember(key, value: [1])
                XCTFail("\(key.count)-byte key accepted")
            } catch {
                guard case .invalidName = error else { return XCTFail("\(error)") }
                XCTAssertFalse(error.isUnavailable)
            }
        }
        await node.close()
    }
}
