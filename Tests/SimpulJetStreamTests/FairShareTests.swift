@testable import SimpulJetStream
import XCTest

/// Goal (issue 8, rebalancing): the partitions split evenly over the live nodes, every node
/// computing the same split, and a node hands partitions over only when it stays over its
/// share for two checks in a row, so a node missed for one round moves nothing.
final class FairShareTests: XCTestCase {
    func testTheSplitIsExactAndTheSameOnEveryNode() {
        let live = ["node-a", "node-b", "node-c"]
        XCTAssertEqual(live.map { FairShare.share(of: $0, total: 4, live: live) }, [2, 1, 1])
        XCTAssertEqual(live.map { FairShare.share(of: $0, total: 9, live: live) }, [3, 3, 3])
        XCTAssertEqual(["a", "b"].map { FairShare.share(of: $0, total: 4, live: ["b", "a"]) }, [2, 2])
        XCTAssertEqual(FairShare.share(of: "alone", total: 4, live: []), 4, "a node not yet listed counts itself")
        XCTAssertEqual(FairShare.share(of: "a", total: 0, live: ["a", "b"]), 0)
    }

    func testANodeOverItsShareHandsTheExcessOverAfterTwoChecksInARow() {
        var share = FairShare(checkEvery: 2, confirmations: 2)
        let live = ["a": 4, "b": 0]
        let plans = (1...4).map { _ in share.plan(holder: "a", holding: 4, total: 4, live: live) }
        XCTAssertEqual(plans.map(\.handOver), [0, 0, 0, 2], "checks at rounds 2 and 4; the second hands over")
        XCTAssertEqual(plans.map(\.holdUpTo), [2, 2, 2, 2], "never takes more while over its share")
        XCTAssertEqual(share.plan(holder: "a", holding: 2, total: 4, live: ["a": 4, "b": 0]).handOver, 0)
    }

    func testANodeMissedForOneCheckMovesNothing() {
        var share = FairShare(checkEvery: 1, confirmations: 2)
        // With c, b's share of 4 is 1 (a has 2 by name order, c 1): b holds one too many.
        let withC = ["a": 2, "b": 2, "c": 0]
        XCTAssertEqual(share.plan(holder: "b", holding: 2, total: 4, live: withC).handOver, 0)
        XCTAssertEqual(share.plan(holder: "b", holding: 2, total: 4, live: ["a": 2, "b": 2]).handOver, 0,
                       "c gone for one check: no longer over the share")
        XCTAssertEqual(share.plan(holder: "b", holding: 2, total: 4, live: withC).handOver, 0, "c back: the count starts again")
        XCTAssertEqual(share.plan(holder: "b", holding: 2, total: 4, live: withC).handOver, 1)
    }

    func testLeasesNobodyTakesAreTakenBeyondTheShareOnlyAfterChecksAgree() {
        var share = FairShare(checkEvery: 1, confirmations: 2)
        // b announces itself but holds nothing (say it cannot see the topic): 2 stay unheld.
        XCTAssertEqual(share.plan(holder: "a", holding: 2, total: 4, live: ["a": 2, "b": 0]).holdUpTo, 2)
        XCTAssertEqual(share.plan(holder: "a", holding: 2, total: 4, live: ["a": 2, "b": 0]).holdUpTo, 4)
        XCTAssertEqual(share.plan(holder: "a", holding: 2, total: 4, live: ["a": 2, "b": 2]).holdUpTo, 2,
                       "once b holds its share, a is back to its own")
    }
}
