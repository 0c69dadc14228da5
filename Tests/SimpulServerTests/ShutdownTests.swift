import SimpulTestSupport
import XCTest

@testable import SimpulServer

/// Goal (issue 4 point 9): `shutdown()` stops accepting, lets an in-flight request finish
/// and be answered (with `Connection: close`), closes idle connections at once, and gives up
/// on a handler that outlives the grace period without crashing.
final class ShutdownTests: XCTestCase {
    private func slowRouter(milliseconds: UInt64) -> Router {
        var router = sampleRouter()
        router.add(.GET, "/slow") { _ in
            try? await Task.sleep(nanoseconds: milliseconds * 1_000_000)
            return HTTPResponse(status: 200, body: Array("done".utf8))
        }
        return router
    }

    func testInFlightRequestFinishesDuringShutdown() throws {
        let live = try LiveServer(self, handler: slowRouter(milliseconds: 600))
        let idle = try live.client()
        XCTAssertEqual(idle.request("GET", "/healthz")?.status, 200)
        let busy = try live.client()
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(eventually { live.server.inFlightRequestCount == 1 })

        let server = live.server
        let started = Date()
        let stopped = ResultBox<TimeInterval>()
        let shutdownTask = Task {
            await server.shutdown()
            stopped.set(.success(Date().timeIntervalSince(started)))
        }
        XCTAssertTrue(idle.waitForClose(), "an idle connection is closed at once")
        let response = try XCTUnwrap(busy.readResponse())
        XCTAssertEqual(response.bodyText, "done")
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(busy.waitForClose())
        XCTAssertTrue(eventually(within: 5) { (try? stopped.get()) != nil })
        XCTAssertLessThan(try stopped.get(), 5)
        XCTAssertThrowsError(try live.client(), "no longer accepting")
        XCTAssertEqual(server.statistics.inFlightRequests, 0)
        _ = shutdownTask
    }

    func testHandlerOutlivingTheGracePeriodIsCutOff() throws {
        let live = try LiveServer(self, handler: slowRouter(milliseconds: 2500)) {
            $0.shutdownGracePeriod = .milliseconds(300)
        }
        let busy = try live.client()
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(eventually { live.server.inFlightRequestCount == 1 })
        let started = Date()
        try runBlocking { await live.server.shutdown() }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        XCTAssertNil(busy.readResponse())
        XCTAssertTrue(busy.peerClosed)
        Thread.sleep(forTimeInterval: 1)  // the late handler completes on a live loop: no crash
    }
}
