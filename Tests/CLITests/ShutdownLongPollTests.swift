import Foundation
import XCTest
import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 4 point 9): SIGTERM with a reader long-polling (`wait=30`) stops the server
/// promptly and cleanly: the reader gets its (empty) answer instead of holding the grace period.
final class ShutdownLongPollTests: XCTestCase {
    func testSIGTERMAnswersLongPollsAtOnce() throws {
        let server = try LiveServer(label: "shutdown-poll")
        defer { server.stop() }
        let token = try server.adminToken
        let port = server.port
        // The admin may publish canonical events: one makes the topic exist, the poll waits past it.
        let published = try ServeProcess.request(port: port, "POST", "/v1/events", token: token,
                                                 body: DeliveryKillTests.businessEvent("poll-1"),
                                                 contentType: "application/cloudevents+json")
        XCTAssertEqual(published?.status, 202, published?.bodyText ?? "")
        let answered = Locked<Int?>(nil)
        let reader = Thread {
            let client = try? RawHTTPClient(port: port, readTimeoutSeconds: 40)
            let response = client?.request("GET", "/v1/topics/city.business.business/events?from=1&wait=30",
                                           headers: [("Authorization", "Bearer \(token)")])
            answered.withLock { $0 = response?.status ?? -1 }  // 200 with no records
        }
        reader.start()
        usleep(500_000)
        let start = Date()
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(server.process.terminationStatus, 0)
        XCTAssertLessThan(seconds, 3, "shutdown waited \(seconds) s for a long poll")
        let deadline = Date().addingTimeInterval(5)
        while answered.withLock({ $0 }) == nil && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(answered.withLock { $0 }, 200, "the long-polling reader got its answer")
    }
}
