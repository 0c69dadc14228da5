import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (RELIABILITY.md D3, D5, S1 through the multi sender): many concurrent sends on one
/// curl multi thread each get their own correct answer; connections are kept alive across
/// pooled handles and capped by `transfersMax` and `connectionsPerHostMax`; the response cap,
/// the timeout (±10 %), `Retry-After`, no redirects and the header line-break refusal hold
/// as in `HTTPDeliveryClient`; a hanging receiver does not hold up other sends; a cancelled
/// task is answered at once and its transfer slot freed; shutdown answers everything.
final class CurlMultiSenderTests: XCTestCase {
    private var sinks: [LoopbackSink] = []
    private var senders: [CurlMultiSender] = []

    override func tearDown() {
        senders.forEach { $0.shutdown() }
        senders = []
        sinks.forEach { $0.stop() }
        sinks = []
    }

    private func startSink() throws -> LoopbackSink {
        let sink = try LoopbackSink()
        sinks.append(sink)
        return sink
    }

    private func sender(_ options: CurlMultiSenderOptions = CurlMultiSenderOptions()) throws -> CurlMultiSender {
        let sender = try CurlMultiSender(options: options)
        senders.append(sender)
        return sender
    }

    private static let privateOK = HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true))

    /// Sends `count` requests at once, request `i` carrying body `"event-i"`; answers in order of `i`.
    private func sendConcurrently(
        _ sender: CurlMultiSender, count: Int, url: String, options: HTTPDeliveryClientOptions
    ) async -> [DeliveryResponse] {
        await withTaskGroup(of: (Int, DeliveryResponse).self) { group in
            for index in 0..<count {
                group.addTask {
                    let request = DeliveryRequest(url: url, body: Array("event-\(index)".utf8),
                                                  headers: [("Idempotency-Key", "evt_\(index)")], timeout: .seconds(10))
                    return (index, await sender.send(request, options: options))
                }
            }
            var answers = [DeliveryResponse?](repeating: nil, count: count)
            for await (index, response) in group { answers[index] = response }
            return answers.compactMap { $0 }
        }
    }

    func testManyConcurrentSendsEachGetTheirAnswerOverFewConnections() async throws {
        let sink = try startSink()
        let sender = try sender(CurlMultiSenderOptions(transfersMax: 8))
        let count = 400
        let answers = await sendConcurrently(sender, count: count, url: "http://127.0.0.1:\(sink.port)/ok", options: Self.privateOK)
        XCTAssertEqual(answers.count, count)
        for response in answers {
            XCTAssertEqual(response.status, 200, "\(String(describing: response.error))")
            XCTAssertEqual(response.body, Array("ok".utf8))
            XCTAssertEqual(response.connectedAddress, "127.0.0.1")
        }
        let received = sink.requests
        XCTAssertEqual(received.count, count)
        XCTAssertEqual(Set(received.map { String(decoding: $0.body, as: UTF8.self) }),
                       Set((0..<count).map { "event-\($0)" }), "every body arrived exactly once")
        for request in received {
            XCTAssertEqual(request.headers["idempotency-key"], "evt_" + String(decoding: request.body.dropFirst(6), as: UTF8.self))
            XCTAssertNil(request.headers["expect"])
        }
        XCTAssertLessThanOrEqual(sink.accepts, 8, "\(count) requests over at most transfersMax connections")
    }

    func testConnectionsPerHostAreCapped() async throws {
        let sink = try startSink()
        let sender = try sender(CurlMultiSenderOptions(transfersMax: 16, connectionsPerHostMax: 2))
        let answers = await sendConcurrently(sender, count: 60, url: "http://127.0.0.1:\(sink.port)/ok", options: Self.privateOK)
        XCTAssertEqual(answers.filter { $0.status == 200 }.count, 60)
        XCTAssertLessThanOrEqual(sink.accepts, 2)
    }

    /// Handles of different options share the multi handle's connection cache.
    func testKeepAliveAcrossPooledHandlesOfDifferentOptions() async throws {
        let sink = try startSink()
        let sender = try sender()
        var other = Self.privateOK
        other.userAgent = "Simpul-Webhooks/other"
        for options in [Self.privateOK, other, Self.privateOK, other] {
            let response = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ok", body: [1]), options: options)
            XCTAssertEqual(response.status, 200)
        }
        XCTAssertEqual(sink.requests.map { $0.headers["user-agent"] },
                       ["Simpul-Webhooks/1", "Simpul-Webhooks/other", "Simpul-Webhooks/1", "Simpul-Webhooks/other"])
        XCTAssertEqual(sink.accepts, 1, "four attempts, two handles, one connection")
    }

    func testLoopbackIsRefusedWithoutAnyConnection() async throws {
        let sink = try startSink()
        let sender = try sender()
        for url in ["http://127.0.0.1:\(sink.port)/ok", "http://2130706433:\(sink.port)/ok", "http://localhost:\(sink.port)/ok"] {
            let response = await sender.send(DeliveryRequest(url: url, body: [1], timeout: .seconds(2)),
                                             options: HTTPDeliveryClientOptions(addressPolicy: .publicOnly))
            guard case .blockedByPolicy(let refusal) = response.error else {
                XCTFail("\(url): \(String(describing: response.error))")
                continue
            }
            XCTAssertEqual(refusal.reason, .loopback, url)
            guard case .permanent = response.outcome else { return XCTFail("\(url): \(response.outcome)") }
        }
        XCTAssertEqual(sink.accepts, 0)
    }

    /// Regression: connections live in the multi handle, shared by every subscription's
    /// handles. A connection opened under a policy that allows private networks must not
    /// carry a request whose own policy refuses that address.
    func testKeptAliveConnectionOfAnotherPolicyIsNotReused() async throws {
        let sink = try startSink()
        let sender = try sender()
        let url = "http://127.0.0.1:\(sink.port)/ok"
        let allowed = await sender.send(DeliveryRequest(url: url, body: Array("internal".utf8)), options: Self.privateOK)
        XCTAssertEqual(allowed.status, 200)
        let refused = await sender.send(DeliveryRequest(url: url, body: Array("public-only".utf8)),
                                        options: HTTPDeliveryClientOptions(addressPolicy: .publicOnly))
        XCTAssertEqual(refused.error, .blockedByPolicy(AddressRefusal(address: "127.0.0.1", reason: .loopback)))
        XCTAssertNil(refused.status)
        XCTAssertEqual(sink.requests.map { String(decoding: $0.body, as: UTF8.self) }, ["internal"],
                       "the refused request never reached the receiver")
        let again = await sender.send(DeliveryRequest(url: url, body: Array("internal".utf8)), options: Self.privateOK)
        XCTAssertEqual(again.status, 200, "the allowed subscription still works")
    }

    func testHugeResponseIsCappedAndRateLimitCarriesRetryAfter() async throws {
        let sink = try startSink()
        let sender = try sender()
        let big = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/big", body: []), options: Self.privateOK)
        XCTAssertEqual(big.status, 200)
        XCTAssertNil(big.error)
        XCTAssertEqual(big.body.count, 64 * 1024)
        XCTAssertTrue(big.bodyTruncated)
        XCTAssertEqual(big.outcome, .success)

        let limited = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ratelimit", body: [1]), options: Self.privateOK)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.retryAfter, "7")
        XCTAssertEqual(limited.outcome, .retryable(reason: "HTTP 429"))
    }

    /// D5: the timeout holds within ±10 %, and while one receiver hangs, other sends finish.
    func testHangingReceiverTimesOutWithoutHoldingUpOthers() async throws {
        let sink = try startSink()
        let sender = try sender(CurlMultiSenderOptions(transfersMax: 4))
        let request = DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/hang", body: [1], timeout: .milliseconds(1000))
        let options = Self.privateOK
        let hanging = Task { await sender.send(request, options: options) }
        let clock = ContinuousClock()
        let start = clock.now
        let others = await sendConcurrently(sender, count: 30, url: "http://127.0.0.1:\(sink.port)/ok", options: Self.privateOK)
        XCTAssertEqual(others.filter { $0.status == 200 }.count, 30)
        XCTAssertLessThan(clock.now - start, .milliseconds(700), "other sends did not wait for the hanging one")
        let response = await hanging.value
        XCTAssertNil(response.status)
        XCTAssertEqual(response.error, .timeout(milliseconds: 1000))
        XCTAssertGreaterThanOrEqual(response.duration, .milliseconds(900))
        XCTAssertLessThanOrEqual(response.duration, .milliseconds(1100))
    }

    func testRedirectIsNotFollowedAndLineBreaksAreRefused() async throws {
        let (front, inside) = (try startSink(), try startSink())
        front.redirectTarget = "http://127.0.0.1:\(inside.port)/ok"
        let sender = try sender()
        let redirected = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(front.port)/redirect", body: []),
                                           options: Self.privateOK)
        XCTAssertEqual(redirected.status, 302)
        guard case .permanent = redirected.outcome else { return XCTFail("\(redirected.outcome)") }
        XCTAssertEqual(inside.accepts, 0)

        let smuggling = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(inside.port)/ok", body: [],
                                                          headers: [("Idempotency-Key", "evt_1\r\nX-Injected: 1")]),
                                          options: Self.privateOK)
        guard case .setup = smuggling.error else { return XCTFail("\(String(describing: smuggling.error))") }
        XCTAssertEqual(inside.accepts, 0)
        // The handle that refused is pooled and works for the next request.
        let next = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(inside.port)/ok", body: []), options: Self.privateOK)
        XCTAssertEqual(next.status, 200)
    }

    func testInvalidURLAndClosedPort() async throws {
        let sender = try sender()
        let invalid = await sender.send(DeliveryRequest(url: "file:///etc/passwd", body: []), options: Self.privateOK)
        guard case .permanent = invalid.outcome else { return XCTFail("\(invalid.outcome)") }
        // A socket bound but not listening: the port stays ours, and a connect gets a reset.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let refused = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(port)/ok", body: [], timeout: .seconds(2)),
                                        options: Self.privateOK)
        guard case .connectionRefused = refused.error else { return XCTFail("\(String(describing: refused.error))") }
    }

    /// A cancelled task gets its answer at once, and its transfer no longer holds the only slot.
    func testCancelledSendIsAnsweredAndItsSlotFreed() async throws {
        let sink = try startSink()
        let sender = try sender(CurlMultiSenderOptions(transfersMax: 1))
        let request = DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/hang", body: [1], timeout: .seconds(20))
        let options = Self.privateOK
        let hanging = Task { await sender.send(request, options: options) }
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        hanging.cancel()
        let cancelled = await hanging.value
        XCTAssertLessThan(clock.now - start, .milliseconds(500))
        guard case .cancelled = cancelled.error else { return XCTFail("\(String(describing: cancelled.error))") }
        guard case .retryable = cancelled.outcome else { return XCTFail("\(cancelled.outcome)") }

        let next = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ok", body: [], timeout: .seconds(5)),
                                     options: Self.privateOK)
        XCTAssertEqual(next.status, 200)
        XCTAssertLessThan(clock.now - start, .seconds(2), "the one slot was freed, not held until the 20 s timeout")
    }

    func testTaskCancelledBeforeSendingIsAnsweredWithoutAnyConnection() async throws {
        let sink = try startSink()
        let sender = try sender()
        let request = DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ok", body: [])
        let options = Self.privateOK
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await sender.send(request, options: options)
        }
        let response = await task.value
        guard case .cancelled = response.error else { return XCTFail("\(String(describing: response.error))") }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(sink.requests.count, 0)
    }

    func testShutdownAnswersRunningAndWaitingSendsAndLaterOnes() async throws {
        let sink = try startSink()
        let sender = try CurlMultiSender(options: CurlMultiSenderOptions(transfersMax: 2))
        let request = DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/hang", body: [1], timeout: .seconds(20))
        let options = Self.privateOK
        let pending = (0..<5).map { _ in Task { await sender.send(request, options: options) } }
        try await Task.sleep(for: .milliseconds(200))
        sender.shutdown()
        for task in pending {
            let response = await task.value
            XCTAssertEqual(response.error, .cancelled(reason: "the delivery sender shut down"))
        }
        let late = await sender.send(DeliveryRequest(url: "http://127.0.0.1:\(sink.port)/ok", body: []), options: Self.privateOK)
        XCTAssertEqual(late.error, .cancelled(reason: "the delivery sender shut down"))
        sender.shutdown()  // a second call returns at once
    }

    func testInvalidLimitsAreRefused() {
        for options in [CurlMultiSenderOptions(transfersMax: 0), CurlMultiSenderOptions(connectionsPerHostMax: -1)] {
            XCTAssertThrowsError(try CurlMultiSender(options: options)) { error in
                guard case .setup(let detail) = error as? DeliveryError else { return XCTFail("\(error)") }
                XCTAssertFalse(detail.isEmpty)
            }
        }
    }
}
