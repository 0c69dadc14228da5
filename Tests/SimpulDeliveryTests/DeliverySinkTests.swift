import Foundation
import SimpulTestSupport
import XCTest
@testable import SimpulDelivery

/// Goal: the `DeliverySink` other modules' delivery tests rely on answers each fault mode
/// as documented, switches modes at run time (refusing connections closes the port, and the
/// same port serves again afterwards), records every request with its headers and body, and
/// counts connections and webhook ids — checked through the real curl clients.
final class DeliverySinkTests: XCTestCase {
    private var sink: DeliverySink?
    private var sender: CurlMultiSender?

    override func tearDown() {
        sender?.shutdown()
        sink?.shutdown()
    }

    private func start() throws -> (DeliverySink, CurlMultiSender) {
        let started = (try DeliverySink(), try CurlMultiSender(options: CurlMultiSenderOptions(transfersMax: 16)))
        (sink, sender) = started
        return started
    }

    private static let options = HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true))

    private func post(_ sender: CurlMultiSender, _ url: String, id: String = "evt_1", key: String = "a",
                      timeout: Duration = .seconds(5)) async -> DeliveryResponse {
        await sender.send(DeliveryRequest(url: url, body: Array(#"{"id":"\#(id)"}"#.utf8),
                                          headers: [("webhook-id", id), ("X-Partition-Key", key)], timeout: timeout),
                          options: Self.options)
    }

    func testAcceptRecordsRequestsOverOneKeptAliveConnection() async throws {
        let (sink, sender) = try start()
        for index in 1...3 {
            let response = await post(sender, sink.url(path: "/hooks?attempt=\(index)"), id: "evt_\(index % 2)")
            XCTAssertEqual(response.status, 204)
            XCTAssertEqual(response.body, [])
        }
        let requests = sink.requests
        XCTAssertEqual(requests.map(\.path), ["/hooks?attempt=1", "/hooks?attempt=2", "/hooks?attempt=3"])
        XCTAssertEqual(requests.map(\.method), ["POST", "POST", "POST"])
        XCTAssertEqual(requests.first?.header("WEBHOOK-ID"), "evt_1")
        XCTAssertEqual(requests.first?.bodyText, #"{"id":"evt_1"}"#)
        XCTAssertEqual(Set(requests.map(\.connection)), [1])
        XCTAssertEqual(sink.connectionCount, 1)
        XCTAssertEqual(sink.requestsPerWebhookID, ["evt_1": 2, "evt_0": 1])
        XCTAssertEqual(sink.distinctWebhookIDs, ["evt_0", "evt_1"])
        XCTAssertEqual(Set(sink.firstArrivals.keys), ["evt_0", "evt_1"])
        let waited = await sink.waitForDistinctWebhookIDs(count: 2, timeout: .milliseconds(100))
        XCTAssertTrue(waited)
        let notYet = await sink.waitForRequests(count: 4, timeout: .milliseconds(50))
        XCTAssertFalse(notYet, "waiting gives up at its timeout")
    }

    func testStatusModes() async throws {
        let (sink, sender) = try start()
        let url = sink.url(path: "/hooks")
        try sink.setMode(.failFirst(count: 3))
        var statuses: [Int?] = []
        for _ in 1...5 { statuses.append(await post(sender, url).status) }
        XCTAssertEqual(statuses, [500, 500, 500, 204, 204])

        try sink.setMode(.failMatching(matches: { $0.header("x-partition-key") == "b" }))
        let keyA = await post(sender, url, key: "a").status
        let keyB = await post(sender, url, key: "b").status
        XCTAssertEqual([keyA, keyB], [204, 500])
        try sink.setMode(.accept)
        let healed = await post(sender, url, key: "b").status
        XCTAssertEqual(healed, 204)

        try sink.setMode(.reject)
        let rejected = await post(sender, url)
        XCTAssertEqual(rejected.status, 400)
        guard case .permanent = rejected.outcome else { return XCTFail("\(rejected.outcome)") }

        try sink.setMode(.rateLimited(seconds: 7))
        let limited = await post(sender, url)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.retryAfter, "7")

        try sink.setMode(.redirect(to: "http://127.0.0.1:9/inside"))
        let redirected = await post(sender, url)
        XCTAssertEqual(redirected.status, 302)
        XCTAssertEqual(sink.requestCount, 11)
        XCTAssertEqual(sink.connectionCount, 1, "every mode above kept the connection alive")
    }

    func testHangIsRecordedAndTimesOut() async throws {
        let (sink, sender) = try start()
        try sink.setMode(.hang)
        let response = await post(sender, sink.url(path: "/hooks"), timeout: .milliseconds(300))
        XCTAssertEqual(response.error, .timeout(milliseconds: 300))
        XCTAssertEqual(sink.requestCount, 1)
    }

    func testRefusingClosesThePortAndTheSamePortServesAgain() async throws {
        let (sink, sender) = try start()
        let url = sink.url(path: "/hooks")
        let before = await post(sender, url)
        XCTAssertEqual(before.status, 204)
        XCTAssertEqual(sink.openConnectionCount, 1)

        try sink.setMode(.refuseConnections)
        XCTAssertEqual(sink.openConnectionCount, 0, "the kept-alive connection was dropped")
        for _ in 1...2 {
            let refused = await post(sender, url, timeout: .seconds(2))
            guard case .connectionRefused = refused.error else { return XCTFail("\(String(describing: refused.error))") }
        }
        try sink.setMode(.accept)
        let after = await post(sender, url)
        XCTAssertEqual(after.status, 204, "\(String(describing: after.error))")
        XCTAssertEqual(sink.requestCount, 2)
        XCTAssertEqual(sink.connectionCount, 2)
    }

    func testSlowAndHugeBodies() async throws {
        let (sink, sender) = try start()
        let url = sink.url(path: "/hooks")
        try sink.setMode(.slowBody(bytes: 3000, chunkBytes: 1000, interval: .milliseconds(100)))
        let slow = await post(sender, url)
        XCTAssertEqual(slow.status, 200)
        XCTAssertEqual(slow.body.count, 3000)
        XCTAssertGreaterThanOrEqual(slow.duration, .milliseconds(190))
        let tooSlow = await post(sender, url, timeout: .milliseconds(150))
        XCTAssertEqual(tooSlow.error, .timeout(milliseconds: 150))

        try sink.setMode(.hugeBody(bytes: 1 << 30))
        let huge = await post(sender, url)
        XCTAssertEqual(huge.status, 200)
        XCTAssertTrue(huge.bodyTruncated)
        XCTAssertEqual(huge.body.count, 64 * 1024)
        XCTAssertLessThan(huge.duration, .seconds(2), "the client stopped reading; the sink stopped writing")
        try sink.setMode(.accept)
        let next = await post(sender, url)
        XCTAssertEqual(next.status, 204)
    }

    func testManyConcurrentRequestsAreAllRecorded() async throws {
        let (sink, sender) = try start()
        let url = sink.url(path: "/hooks")
        let count = 2000
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    _ = await sender.send(DeliveryRequest(url: url, body: [], headers: [("webhook-id", "evt_\(index)")]),
                                          options: Self.options)
                }
            }
        }
        XCTAssertEqual(sink.requestCount, count)
        XCTAssertEqual(sink.distinctWebhookIDCount, count)
        XCTAssertLessThanOrEqual(sink.connectionCount, 16)
    }

    func testBlockingHTTPClientAndSynchronousWaiting() throws {
        let sink = try DeliverySink()
        self.sink = sink
        let client = try HTTPDeliveryClient(options: Self.options)
        let response = client.send(DeliveryRequest(url: sink.url(path: "/x"), body: [1, 2, 3]))
        XCTAssertEqual(response.status, 204)
        XCTAssertTrue(sink.waitForRequests(count: 1, timeout: .seconds(1)))
        XCTAssertEqual(sink.requests.first?.body, [1, 2, 3])
    }

    /// The benchmarks' recording keeps counts and first arrivals only; predicates still see
    /// the whole request.
    func testWebhookIDsOnlyRecording() async throws {
        let sink = try DeliverySink(recording: .webhookIDsOnly)
        self.sink = sink
        let sender = try CurlMultiSender()
        self.sender = sender
        let url = sink.url(path: "/hooks")
        _ = await post(sender, url, id: "evt_1")
        try sink.setMode(.failMatching(matches: { $0.bodyText.contains("evt_2") }))
        let failing = await post(sender, url, id: "evt_2")
        let passing = await post(sender, url, id: "evt_3")
        XCTAssertEqual([failing.status, passing.status], [500, 204])
        XCTAssertTrue(sink.requests.isEmpty)
        XCTAssertEqual(sink.requestCount, 3)
        XCTAssertEqual(sink.distinctWebhookIDs, ["evt_1", "evt_2", "evt_3"])
        XCTAssertEqual(sink.firstArrivals.count, 3)
    }
}
