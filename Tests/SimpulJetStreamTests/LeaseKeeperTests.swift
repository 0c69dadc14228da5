import SimpulJetStream
import SimpulLog
import SimpulTestSupport
import XCTest

/// Goal (issue 8): a node that joins gets its share of the partitions from the node holding
/// them (never two holders at once), a node that dies has its partitions taken over by
/// another node after the lease ttl, one that stops cleanly hands them over at once, and a
/// node is told on `changes` when it gains or loses a partition.
final class LeaseKeeperTests: XCTestCase {
    static let ttl: Duration = .seconds(2)
    static let partitions: Set<String> = Set((0..<4).map { "orders-to-dukcapil/city.population/\($0)" })
    private var server: SharedStateTestServer!

    override func setUpWithError() throws { server = try SharedStateTestServer("lease-keeper") }
    override func tearDown() { server?.stop() }

    private func keeper(_ holder: String) async throws -> (LeaseKeeper, ChangeLog) {
        let leases = try await JetStreamLeases(settings: server.settings, ttl: Self.ttl)
        addTeardownBlock { await leases.close() }
        let keeper = LeaseKeeper(leases: leases, holder: holder, interval: .milliseconds(300))
        keeper.want(Self.partitions)
        return (keeper, ChangeLog(keeper))
    }

    func testTheSurvivingNodeTakesOverEveryPartitionOfADeadNode() async throws {
        let (nodeA, changesA) = try await keeper("node-a@1")
        nodeA.start()
        let aHoldsAll = await eventually(timeout: .seconds(3)) { nodeA.heldNames == Self.partitions }
        XCTAssertTrue(aHoldsAll, "node-a holds \(nodeA.heldNames.count) of 4")
        XCTAssertEqual(Set(changesA.changes), Set(Self.partitions.map { .acquired($0) }))

        // node-b wants the same partitions: node-a hands two over (each only once node-b
        // asked for it), never both holding one.
        let (nodeB, changesB) = try await keeper("node-b@1")
        nodeB.start()
        var overlap: Set<String> = []
        let split = await eventually(timeout: .seconds(6)) {
            overlap.formUnion(nodeA.heldNames.intersection(nodeB.heldNames))
            return nodeA.heldNames.count == 2 && nodeB.heldNames.count == 2
        }
        XCTAssertTrue(split, "node-a holds \(nodeA.heldNames.count), node-b \(nodeB.heldNames.count) of 4")
        XCTAssertEqual(overlap, [], "a partition held by both at once")
        XCTAssertEqual(nodeA.heldNames.union(nodeB.heldNames), Self.partitions)
        XCTAssertEqual(Set(changesA.changes.filter { if case .lost = $0 { true } else { false } }),
                       Set(nodeB.heldNames.map { .lost($0) }), "node-a reported what it handed over")

        // node-a dies (no release): node-b holds every partition once the ttl has passed.
        let died = ContinuousClock.now
        await nodeA.stop(releasing: false)
        let bHoldsAll = await eventually(timeout: Self.ttl + .seconds(4)) { nodeB.heldNames == Self.partitions }
        let takeover = ContinuousClock.now - died
        XCTAssertTrue(bHoldsAll, "node-b holds \(nodeB.heldNames.count) of 4 after \(takeover)")
        XCTAssertGreaterThanOrEqual(takeover, Self.ttl - .milliseconds(400), "taken over before node-a's leases could expire")
        XCTAssertEqual(Set(changesB.changes), Set(Self.partitions.map { .acquired($0) }))
        print("lease keeper: 2 partitions of a dead node taken over \(takeover) after it died (ttl \(Self.ttl), renew every 300 ms)")
        await nodeB.stop()
    }

    func testANodeThatStopsCleanlyHandsItsPartitionsOverAtOnce() async throws {
        let (nodeA, _) = try await keeper("node-a@1")
        nodeA.start()
        let aHoldsAll = await eventually(timeout: .seconds(3)) { nodeA.heldNames == Self.partitions }
        XCTAssertTrue(aHoldsAll)
        let (nodeB, _) = try await keeper("node-b@1")
        nodeB.start()
        let stopped = ContinuousClock.now
        await nodeA.stop()
        let bHoldsAll = await eventually(timeout: .seconds(1)) { nodeB.heldNames == Self.partitions }
        XCTAssertTrue(bHoldsAll, "node-b waited for the ttl after a clean stop: holds \(nodeB.heldNames.count) of 4")
        print("lease keeper: handed over \(ContinuousClock.now - stopped) after a clean stop")
        await nodeB.stop()
    }

    func testAPartitionNoLongerWantedIsGivenUpAndReported() async throws {
        let (nodeA, changesA) = try await keeper("node-a@1")
        nodeA.start()
        let aHoldsAll = await eventually(timeout: .seconds(3)) { nodeA.heldNames == Self.partitions }
        XCTAssertTrue(aHoldsAll)
        let kept = "orders-to-dukcapil/city.population/0"
        nodeA.want([kept])
        let gaveUp = await eventually(timeout: .seconds(2)) { nodeA.heldNames == [kept] }
        XCTAssertTrue(gaveUp, "still holds \(nodeA.heldNames)")
        XCTAssertEqual(Set(changesA.changes.filter { if case .lost = $0 { return true } else { return false } }),
                       Set(Self.partitions.subtracting([kept]).map { .lost($0) }))
        let (nodeB, _) = try await keeper("node-b@1")
        nodeB.start()
        // node-b's share of its 4 is 2, but node-a takes none of the 3 free ones: once its
        // checks agree they stay unheld, node-b takes them too.
        let bHoldsRest = await eventually(timeout: .seconds(5)) { nodeB.heldNames == Self.partitions.subtracting([kept]) }
        XCTAssertTrue(bHoldsRest, "node-b holds \(nodeB.heldNames)")
        XCTAssertFalse(nodeB.holds(kept))
        await nodeA.stop()
        await nodeB.stop()
    }
}

/// Records what a keeper reports on `changes`, and hands a lost partition over at once
/// (as the delivery engine does once the partition's worker stopped).
private final class ChangeLog: Sendable {
    private let received = Locked<[LeaseKeeper.Change]>([])

    init(_ keeper: LeaseKeeper) {
        let received = self.received
        Task {
            for await change in keeper.changes {
                received.withLock { $0.append(change) }
                if case .lost(let name) = change { keeper.handOver([name]) }
            }
        }
    }

    var changes: [LeaseKeeper.Change] { received.withLock { $0 } }
}
