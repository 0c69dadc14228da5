import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md D3, D5, S2 over a real socket): the curl client posts the body and
/// headers, keeps the connection alive, reports status, duration and typed errors, enforces
/// its timeout within ±10 %, caps the response body, and surfaces `Retry-After`.
final class HTTPDeliveryClientTests: XCTestCase {
    private var sink: LoopbackSink?

    override func tearDown() {
        sink?.stop()
        sink = nil
    }

    private func startSink() throws -> LoopbackSink {
        let started = try LoopbackSink()
        sink = started
        return started
    }

    private func client() throws -> HTTPDeliveryClient {
        try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true)))
    }

    func testPostsSignedBodyAndReusesTheConnection() throws {
        let sink = try startSink()
        let client = try client()
        let signer = try WebhookSigner(secret: WebhookSigner.generateSecret())
        let body = Array(#"{"specversion":"1.0","data":{"kota":"Bandung"}}"#.utf8)
        let transport: any DeliveryTransport = client
        for attempt in 1...3 {
            let response = transport.send(.signedCloudEvent(
                url: "http://127.0.0.1:\(sink.port)/ok", eventID: "evt_1", body: body, signer: signer,
                timestamp: 1_700_000_000 + Int64(attempt), timeout: .seconds(5)))
            XCTAssertEqual(response.status, 200)
            XCTAssertNil(response.error)
            XCTAssertEqual(response.outcome, .success)
            XCTAssertEqual(response.body, Array("ok".utf8))
            XCTAssertEqual(response.connectedAddress, "127.0.0.1")
        }
        XCTAssertEqual(sink.accepts, 1, "keep-alive: three attempts over one connection")
        let received = sink.requests
        XCTAssertEqual(received.count, 3)
        for request in received {
            XCTAssertEqual(request.body, body)
            XCTAssertEqual(request.headers["idempotency-key"], "evt_1")
            XCTAssertEqual(request.headers["content-type"], "application/cloudevents+json")
            XCTAssertEqual(request.headers["webhook-id"], "evt_1", "the same id on every retry")
            XCTAssertNil(request.headers["expect"])
            guard let id = request.headers["webhook-id"], let timestamp = request.headers["webhook-timestamp"].flatMap({ Int64($0) }),
                  let signature = request.headers["webhook-signature"] else { return XCTFail("missing webhook headers") }
            XCTAssertTrue(signer.verify(id: id, timestamp: timestamp, body: request.body, signatureHeader: signature))
        }
    }

    func testServerErrorIsRetryable() throws {
        let sink = try startSink()
        let response = try client().send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/fail", body: []))
        XCTAssertEqual(response.status, 500)
        XCTAssertEqual(response.outcome, .retryable(reason: "HTTP 500"))
    }

    func testRateLimitCarriesRetryAfter() throws {
        let sink = try startSink()
        let response = try client().send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ratelimit", body: [1]))
        XCTAssertEqual(response.status, 429)
        XCTAssertEqual(response.retryAfter, "7")
        XCTAssertEqual(response.retryAfter.flatMap { RetryAfter.parse($0, now: Date()) }, .seconds(7))
        var random = SeededRandom(seed: 9)
        XCTAssertEqual(RetryPolicy.standard.decide(afterAttempt: 1, outcome: response.outcome,
                                                   retryAfter: .seconds(7), using: &random), .retry(after: .seconds(7)))
    }

    func testHangingReceiverTimesOutWithinTenPercent() throws {
        let sink = try startSink()
        let response = try client().send(
            DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/hang", body: [1], timeout: .milliseconds(1000)))
        XCTAssertNil(response.status)
        XCTAssertEqual(response.error, .timeout(milliseconds: 1000))
        XCTAssertGreaterThanOrEqual(response.duration, .milliseconds(900))
        XCTAssertLessThanOrEqual(response.duration, .milliseconds(1100))
        guard case .retryable = response.outcome else { return XCTFail("\(response.outcome)") }
    }

    func testHugeResponseIsCappedAt64KiB() throws {
        let sink = try startSink()
        let response = try client().send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/big", body: []))
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.error)
        XCTAssertEqual(response.body.count, 64 * 1024)
        XCTAssertTrue(response.bodyTruncated)
        XCTAssertEqual(response.outcome, .success)
    }

    func testClosedPortIsConnectionRefused() throws {
        // A socket bound but not listening: the port stays ours, and a connect gets a reset.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let response = try client().send(DeliveryRequest(url: "http://127.0.0.1:\(port)/ok", body: [],
                                                         timeout: .seconds(2)))
        XCTAssertNil(response.status)
        guard case .connectionRefused = response.error else { return XCTFail("\(String(describing: response.error))") }
        guard case .retryable = response.outcome else { return XCTFail("\(response.outcome)") }
    }

    func testInvalidURLsArePermanent() throws {
        let client = try client()
        for url in ["ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "not a url"] {
            let response = client.send(DeliveryRequest(url: url, body: [], timeout: .milliseconds(500)))
            XCTAssertNil(response.status, url)
            guard case .permanent = response.outcome else { return XCTFail("\(url): \(response.outcome)") }
        }
    }

    func testHeaderWithLineBreakIsNotSent() throws {
        let sink = try startSink()
        let response = try client().send(DeliveryRequest(
            url: "http://127.0.0.1:\(sink.port)/ok", body: [],
            headers: [("Idempotency-Key", "evt_1\r\nX-Injected: 1")], timeout: .seconds(2)))
        guard case .setup = response.error else { return XCTFail("\(String(describing: response.error))") }
        guard case .permanent = response.outcome else { return XCTFail("\(response.outcome)") }
        XCTAssertEqual(sink.accepts, 0)
    }
}
