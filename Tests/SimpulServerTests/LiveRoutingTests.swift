import XCTest

@testable import SimpulServer

/// Goal: over a real socket, routing answers with path parameters, 404 and 405 + Allow as
/// JSON, always with Content-Length; keep-alive and pipelining serve several requests on one
/// connection in order; `Connection: close` and HEAD are honoured.
final class LiveRoutingTests: XCTestCase {
    func testRoutingOverTheWire() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()

        let published = try XCTUnwrap(client.request("POST", "/v1/sources/kependudukan/records", body: Array("a,b\n1,2\n".utf8)))
        XCTAssertEqual(published.status, 202)
        XCTAssertEqual(published.bodyText, #"{"source":"kependudukan","bytes":8}"#)
        XCTAssertEqual(published.header("content-length"), "\(published.body.count)")

        let missing = try XCTUnwrap(client.request("GET", "/v2/unknown"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.bodyText.contains(#""code":"not_found""#))

        let wrongMethod = try XCTUnwrap(client.request("PUT", "/v1/topics", body: Array("x".utf8)))
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.header("allow"), "GET, HEAD")
        XCTAssertNil(wrongMethod.header("connection"))  // still keep-alive: all on one connection
    }

    func testKeepAliveAndPipelining() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        for index in 0..<3 {
            let response = try XCTUnwrap(client.request("GET", "/v1/topics/t\(index)/events?from=\(index)"))
            XCTAssertEqual(response.bodyText, #"{"topic":"t\#(index)","from":"\#(index)"}"#)
        }
        // Three requests in one write: answered in order on the same connection.
        let pipelined = (0..<3).map { "GET /v1/topics/p\($0)/events HTTP/1.1\r\nHost: x\r\n\r\n" }.joined()
        XCTAssertTrue(client.send(pipelined))
        for index in 0..<3 {
            let response = try XCTUnwrap(client.readResponse())
            XCTAssertEqual(response.bodyText, #"{"topic":"p\#(index)","from":""}"#)
        }
        XCTAssertEqual(live.server.statistics.openConnections, 1)
    }

    func testConnectionCloseIsHonoured() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        let response = try XCTUnwrap(client.request("GET", "/healthz", headers: [("Connection", "close")]))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(client.waitForClose())

        let http10 = try live.client()
        http10.send("GET /healthz HTTP/1.0\r\n\r\n")
        XCTAssertEqual(http10.readResponse()?.status, 200)
        XCTAssertTrue(http10.waitForClose())
    }

    func testHeadSendsLengthWithoutBody() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        let head = try XCTUnwrap(client.request("HEAD", "/healthz"))
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-length"), "2")
        // If a body had been sent it would be parsed as the next response and fail here.
        let next = try XCTUnwrap(client.request("GET", "/healthz"))
        XCTAssertEqual(next.bodyText, "ok")
    }

    func testExpectContinueGetsAnInterimResponse() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        client.send("POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(client.readResponse(skippingInterim: false)?.status, 100)
        client.send("abc")
        XCTAssertEqual(client.readResponse()?.bodyText, #"{"source":"s","bytes":3}"#)
    }

    func testHalfClosedClientStillGetsItsAnswer() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        client.shutdownWrite()
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.bodyText, "ok")
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(client.waitForClose())
    }

    func testManyPipelinedRequestsSentBeforeReadingAreAllAnsweredInOrder() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let client = try live.client()
        let count = 2000
        let batch = (0..<count).map { "GET /v1/topics/n\($0)/events HTTP/1.1\r\nHost: x\r\n\r\n" }.joined()
        XCTAssertTrue(client.send(batch))
        for index in 0..<count {
            guard let response = client.readResponse() else { return XCTFail("response \(index) missing") }
            XCTAssertEqual(response.bodyText, #"{"topic":"n\#(index)","from":""}"#)
        }
    }

    func testRequestFieldsReachTheHandler() throws {
        var router = Router()
        router.add(.POST, "/echo/{name}") { request in
            let fields = [
                request.method.rawValue, request.path, request.rawPath, request.pathParameters["name"] ?? "-",
                request.query["q"] ?? "-", request.header("X-MiXeD-cAsE") ?? "-",
                request.headerValues("x-multi").joined(separator: "|"), request.remoteAddress ?? "-",
                String(decoding: request.body, as: UTF8.self),
            ]
            return HTTPResponse(status: 200, body: Array(fields.joined(separator: "\n").utf8))
        }
        let live = try LiveServer(self, handler: router)
        let client = try live.client()
        client.send(
            "POST http://example.org/echo/a%20b?q=%E2%9C%93 HTTP/1.1\r\nHost: x\r\nx-mixed-case: yes\r\n"
                + "X-Multi: 1\r\nX-Multi: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(
            response.bodyText.split(separator: "\n", omittingEmptySubsequences: false),
            ["POST", "/echo/a b", "/echo/a%20b", "a b", "\u{2713}", "yes", "1|2", "127.0.0.1", "abcde"])
    }
}
