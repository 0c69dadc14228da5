import SimpulTestSupport
import XCTest

@testable import SimpulServer

/// Goal (issue 4 point 8): under overload the server answers 503 with Retry-After at once,
/// never queues: request bodies beyond the in-flight byte budget and connections beyond the
/// connection limit are refused, and service resumes when load drops.
final class OverloadTests: XCTestCase {
    private func gatedRouter(_ gate: Gate) -> Router {
        var router = sampleRouter()
        router.add(.POST, "/slow") { request in
            await gate.wait()
            return HTTPResponse(status: 202, body: Array("\(request.body.count)".utf8))
        }
        return router
    }

    func testInFlightBytesOverBudgetGet503WithRetryAfter() throws {
        let gate = Gate()
        let live = try LiveServer(self, handler: gatedRouter(gate)) {
            $0.bodyBytesMax = 1000
            $0.inFlightBytesMax = 1000
            $0.retryAfterSeconds = 3
        }
        let holder = try live.client()
        holder.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "h", count: 1000))
        XCTAssertTrue(eventually { live.server.statistics.runningHandlers == 1 })
        XCTAssertEqual(live.server.statistics.inFlightBytes, 1000)

        let refused = try XCTUnwrap(try live.client().request("POST", "/slow", body: Array("tiny".utf8)))
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("retry-after"), "3")
        XCTAssertTrue(refused.bodyText.contains(#""code":"overloaded""#))
        // Requests without a body take nothing from the budget.
        XCTAssertEqual(try live.client().request("GET", "/healthz")?.status, 200)

        gate.open()
        XCTAssertEqual(holder.readResponse()?.bodyText, "1000")
        XCTAssertTrue(eventually { live.server.statistics.inFlightBytes == 0 })
        XCTAssertEqual(try live.client().request("POST", "/slow", body: Array("tiny".utf8))?.status, 202)
    }

    func testConnectionsOverTheLimitAreRefused() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.connectionCountMax = 2 }
        var first: RawHTTPClient? = try live.client()
        let second = try live.client()
        XCTAssertEqual(first?.request("GET", "/healthz")?.status, 200)
        XCTAssertEqual(second.request("GET", "/healthz")?.status, 200)

        let third = try live.client()
        let refused = try XCTUnwrap(third.readResponse())
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("retry-after"), "1")
        XCTAssertTrue(third.waitForClose())
        XCTAssertEqual(live.server.statistics.rejectedConnections, 1)

        first = nil  // closes the socket
        XCTAssertTrue(eventually { live.server.statistics.openConnections == 1 })
        XCTAssertEqual(try live.client().request("GET", "/healthz")?.status, 200)
        _ = first
    }
}
