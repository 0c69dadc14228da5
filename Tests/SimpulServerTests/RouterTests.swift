import NIOHTTP1
import XCTest

@testable import SimpulServer

/// Goal: the router finds routes by method and pattern, decodes path parameters, answers
/// 404/405 with the JSON error shape and `Allow`, serves HEAD from GET, and lists its routes
/// so S5 and the OpenAPI test can enumerate them. In-process: no sockets.
final class RouterTests: XCTestCase {
    private func request(_ method: HTTPMethod, _ rawPath: String) throws -> HTTPRequest {
        let target = try RequestTarget.parse(rawPath)
        return HTTPRequest(method: method, path: target.path, rawPath: target.rawPath, query: target.query)
    }

    func testPathParametersAreDecodedPerSegment() async throws {
        let response = await sampleRouter().handle(try request(.POST, "/v1/sources/dukcapil%2Fkota%20a/records"))
        XCTAssertEqual(response.status, 202)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"source":"dukcapil/kota a","bytes":0}"#)
    }

    func testQueryIsDecodedAndLastKeyWins() async throws {
        let response = await sampleRouter().handle(try request(.GET, "/v1/topics/t%C3%A9/events?from=1&from=7+x"))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"topic":"té","from":"7 x"}"#)
    }

    func testUnknownPathIs404WithJSONError() async throws {
        for path in ["/nope", "/v1/topics/", "/v1/sources//records", "/"] {
            let response = await sampleRouter().handle(try request(.GET, path))
            XCTAssertEqual(response.status, 404, path)
            XCTAssertEqual(response.header("content-type"), "application/json", path)
            XCTAssertTrue(String(decoding: response.body, as: UTF8.self).hasPrefix(#"{"error":{"code":"not_found","#), path)
        }
    }

    func testKnownPathWithOtherMethodIs405WithAllow() async throws {
        let response = await sampleRouter().handle(try request(.DELETE, "/v1/topics"))
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("allow"), "GET, HEAD")
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains(#""code":"method_not_allowed""#))
    }

    func testHeadIsServedByGet() async throws {
        let response = await sampleRouter().handle(try request(.HEAD, "/healthz"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, Array("ok".utf8))  // the server drops the body, not the router
    }

    func testLiteralSegmentWinsOverParameter() async throws {
        var router = Router()
        router.add(.GET, "/v1/quarantine/{id}") { _ in HTTPResponse(status: 200, body: Array("id".utf8)) }
        router.add(.GET, "/v1/quarantine/stats") { _ in HTTPResponse(status: 200, body: Array("stats".utf8)) }
        let stats = await router.handle(try request(.GET, "/v1/quarantine/stats"))
        let other = await router.handle(try request(.GET, "/v1/quarantine/42"))
        XCTAssertEqual(stats.body, Array("stats".utf8))
        XCTAssertEqual(other.body, Array("id".utf8))
    }

    func testTheMostLiteralRouteOwnsThePathForAllow() async throws {
        var router = Router()
        router.add(.GET, "/v1/dlq/{id}") { _ in HTTPResponse(status: 200, body: []) }
        router.add(.POST, "/v1/dlq/replay") { _ in HTTPResponse(status: 200, body: []) }
        let wrong = await router.handle(try request(.GET, "/v1/dlq/replay"))
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers.first { $0.0 == "Allow" }?.1, "POST", "GET belongs to /v1/dlq/{id}, not to this path")
    }

    /// S5 helper: a test can walk every registered route.
    func testRoutesAreEnumerable() {
        XCTAssertEqual(
            sampleRouter().routes.map(\.description),
            [
                "POST /v1/sources/{source}/records", "GET /v1/topics", "GET /v1/topics/{topic}/events",
                "GET /healthz",
            ])
    }

    func testInvalidTargetsAreRefused() {
        for target in ["nope", "/a%zz", "/a%C3", "/x?q=%FF"] {
            XCTAssertThrowsError(try RequestTarget.parse(target), target)
        }
        XCTAssertEqual(try RequestTarget.parse("http://example.org/a/b?x=1").path, "/a/b")
    }
}
