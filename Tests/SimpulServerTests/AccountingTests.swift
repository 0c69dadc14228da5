import SimpulTestSupport
import Foundation
import XCTest

@testable import SimpulServer

/// Goal: the shared budgets never leak. After many concurrent clients, and after a client
/// that vanishes while its handler runs (once that handler returns), in-flight bytes,
/// requests and handlers return to 0: a leak would slowly turn every request into a 503.
final class AccountingTests: XCTestCase {
    func testConcurrentClientsLeaveCountersAtZero() throws {
        let live = try LiveServer(self, handler: sampleRouter()) {
            $0.threadCount = 2
            $0.bodyBytesMax = 4096
            $0.inFlightBytesMax = 64 << 10
        }
        let failures = Counter()
        let port = live.port
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            var bad = 0
            if let client = try? RawHTTPClient(port: port) {
                for index in 0..<40 {
                    let body = [UInt8](repeating: 0x61, count: (worker * 40 + index) % 4096)
                    let status = client.request("POST", "/v1/sources/w\(worker)/records", body: body)?.status
                    // 503 is allowed (the budget is small on purpose); anything else is not.
                    if status != 202 && status != 503 { bad += 1 }
                    if status == 503 { break }  // the server closed this connection
                }
            } else {
                bad += 1
            }
            failures.add(bad)
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertTrue(eventually { live.server.statistics.openConnections == 0 })
        let statistics = live.server.statistics
        XCTAssertEqual(statistics.inFlightBytes, 0)
        XCTAssertEqual(statistics.inFlightRequests, 0)
        XCTAssertEqual(statistics.runningHandlers, 0)
    }

    func testClientVanishingDuringItsHandlerReleasesItsBudget() throws {
        let gate = Gate()
        var router = sampleRouter()
        router.add(.POST, "/slow") { request in
            await gate.wait()
            return HTTPResponse(status: 202, body: Array("\(request.body.count)".utf8))
        }
        let live = try LiveServer(self, handler: router)
        var client: RawHTTPClient? = try live.client()
        client?.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + String(repeating: "v", count: 500))
        XCTAssertTrue(eventually { live.server.statistics.runningHandlers == 1 })
        XCTAssertEqual(live.server.statistics.inFlightBytes, 500)
        client = nil  // closes the socket while the handler waits
        // NIO's pipeline handler does not read while a response is pending, and a FIN is a
        // legal half-close that still expects its answer: the budget stays held until the
        // handler returns, then everything is given back.
        Thread.sleep(forTimeInterval: 0.1)
        gate.open()
        XCTAssertTrue(eventually { live.server.statistics.openConnections == 0 })
        XCTAssertTrue(eventually { live.server.statistics.runningHandlers == 0 })
        XCTAssertEqual(live.server.statistics.inFlightBytes, 0)
        XCTAssertEqual(live.server.statistics.inFlightRequests, 0)
        XCTAssertEqual(try live.client().request("GET", "/healthz")?.status, 200)
        _ = client
    }
}
