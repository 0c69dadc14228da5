import SimpulTestSupport
import Foundation
import Logging
import NIOCore
import SimpulServer
import XCTest

/// A server on 127.0.0.1 with a system-chosen port, shut down when the test ends.
struct LiveServer {
    let server: HTTPServer
    let port: Int

    /// Starts `handler` with the test defaults changed by `configure`.
    init(
        _ test: XCTestCase, handler: any HTTPHandler,
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.threadCount = 1
        configure(&configuration)
        var logger = Logger(label: "simpul.server.test")
        logger.logLevel = ProcessInfo.processInfo.environment["SIMPUL_TEST_LOG"] == nil ? .critical : .trace
        let server = HTTPServer(configuration: configuration, handler: handler, logger: logger)
        self.server = server
        self.port = try runBlocking { try await server.start() }
        test.addTeardownBlock { try? runBlocking { await server.shutdown() } }
    }

    func client(readTimeoutSeconds: Double = 5) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, readTimeoutSeconds: readTimeoutSeconds)
    }
}

/// A router with the routes most tests use.
func sampleRouter() -> Router {
    var router = Router()
    router.add(.POST, "/v1/sources/{source}/records") { request in
        .json(
            status: 202,
            "{\"source\":\(JSONText.string(request.pathParameters["source"] ?? "")),\"bytes\":\(request.body.count)}")
    }
    router.add(.GET, "/v1/topics") { _ in .json(status: 200, "[\"a\",\"b\"]") }
    router.add(.GET, "/v1/topics/{topic}/events") { request in
        .json(
            status: 200,
            "{\"topic\":\(JSONText.string(request.pathParameters["topic"] ?? "")),\"from\":\(JSONText.string(request.query["from"] ?? ""))}"
        )
    }
    router.add(.GET, "/healthz") { _ in HTTPResponse(status: 200, body: Array("ok".utf8)) }
    return router
}
