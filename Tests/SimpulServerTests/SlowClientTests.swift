import SimpulTestSupport
import XCTest

@testable import SimpulServer

/// Goal (RELIABILITY S4): a client sending 1 byte per second is answered 408 and closed
/// within the request head timeout, even though it is never idle; a fast head with a slow
/// body is cut at the request timeout; a silent keep-alive connection is closed after the
/// idle timeout.
final class SlowClientTests: XCTestCase {
    func testOneBytePerSecondClientIsClosedWithinTheRequestTimeout() throws {
        let live = try LiveServer(self, handler: sampleRouter()) {
            $0.idleTimeout = .milliseconds(1500)
            $0.requestHeadTimeout = .seconds(2)
        }
        let client = try live.client(readTimeoutSeconds: 0.01)
        let request = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: \(String(repeating: "z", count: 100))\r\n\r\n".utf8)
        let start = Date()
        var closedAfter: TimeInterval?
        for byte in request {
            guard client.send([byte]) else { break }
            Thread.sleep(forTimeInterval: 1)
            if client.waitForClose() {  // 10 ms poll
                closedAfter = Date().timeIntervalSince(start)
                break
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, "still open after 5 s")
            if Date().timeIntervalSince(start) > 5 { break }
        }
        let elapsed = try XCTUnwrap(closedAfter, "the slow client was never closed")
        XCTAssertLessThanOrEqual(elapsed, 3.5)
        XCTAssertEqual(live.server.statistics.openConnections, 0)
    }

    func testSlowClientGets408WithJSONBody() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.requestHeadTimeout = .milliseconds(300) }
        let client = try live.client()
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")  // head never finished
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(response.bodyText.contains(#""code":"request_timeout""#))
        XCTAssertTrue(client.waitForClose())
    }

    func testIdleKeepAliveConnectionIsClosed() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.idleTimeout = .milliseconds(300) }
        let client = try live.client()
        XCTAssertEqual(client.request("GET", "/healthz")?.status, 200)
        let start = Date()
        XCTAssertTrue(client.waitForClose())
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testSlowBodyIsCutAtTheRequestTimeout() throws {
        let live = try LiveServer(self, handler: sampleRouter()) {
            $0.requestHeadTimeout = .milliseconds(300)
            $0.requestTimeout = .seconds(1)
        }
        let client = try live.client(readTimeoutSeconds: 0.01)
        let start = Date()
        client.send("POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        var response: RawHTTPClient.Response?
        for _ in 0..<20 {  // one body byte per 150 ms: never idle, never done in time
            guard client.send("b") else { break }
            Thread.sleep(forTimeInterval: 0.15)
            if let answer = client.readResponse() {
                response = answer
                break
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(response?.status, 408)
        XCTAssertTrue(response?.bodyText.contains(#""code":"request_timeout""#) ?? false)
        XCTAssertGreaterThan(elapsed, 0.9, "the head timeout must not apply once the head is in")
        XCTAssertLessThan(elapsed, 2)
    }
}
