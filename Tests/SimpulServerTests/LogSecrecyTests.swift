import SimpulTestSupport
import Logging
import XCTest

@testable import SimpulServer

/// Goal (RELIABILITY S5, the server's share): with the log at `trace`, requests carrying a
/// bearer token — answered, refused, malformed, oversized — never put the token in the log.
final class LogSecrecyTests: XCTestCase {
    func testBearerTokensNeverReachTheLog() throws {
        let secret = "sk_live_7f3a9c2e41b8d6"
        let lines = CapturingLogHandler.Lines()
        var logger = Logger(label: "simpul.server.secrecy") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threadCount = 1
        configuration.bodyBytesMax = 1024
        configuration.headerBytesMax = 1024
        let server = HTTPServer(configuration: configuration, handler: sampleRouter(), logger: logger)
        let port = try runBlocking { try await server.start() }
        let auth = ("Authorization", "Bearer \(secret)")
        let requests: [(String, String, [(String, String)], [UInt8])] = [
            ("GET", "/healthz", [auth], []),
            ("GET", "/unknown", [auth], []),
            ("DELETE", "/v1/topics", [auth], []),
            ("POST", "/v1/sources/s/records", [auth], [UInt8](repeating: 0x41, count: 2048)),
            ("GET", "/healthz", [auth, ("X-Big", String(repeating: "b", count: 2000))], []),
        ]
        for (method, path, headers, body) in requests {
            let client = try RawHTTPClient(port: port)
            XCTAssertNotNil(client.request(method, path, headers: headers, body: body), "\(method) \(path)")
        }
        let malformed = try RawHTTPClient(port: port)
        malformed.send("GET / HTTP/1.1\r\nAuthorization: Bearer \(secret)\r\nBroken\r\n\r\n")
        XCTAssertEqual(malformed.readResponse()?.status, 400)
        try runBlocking { await server.shutdown() }

        let captured = lines.all
        XCTAssertGreaterThan(captured.count, 5, "the log saw the traffic")
        XCTAssertEqual(captured.filter { $0.contains(secret) }, [])
    }
}
