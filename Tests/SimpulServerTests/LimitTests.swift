import SimpulTestSupport
import XCTest

@testable import SimpulServer

/// Goal (RELIABILITY S4): a body over the limit gets 413 after the server read at most
/// limit + 64 KiB of it; too many or too large headers get 431; malformed requests get 400;
/// every rejection carries the JSON error body and closes the connection.
final class LimitTests: XCTestCase {
    private let bodyLimit = 32 << 10

    private func assertError(
        _ response: RawHTTPClient.Response?, status: Int, code: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let response else { return XCTFail("no response", file: file, line: line) }
        XCTAssertEqual(response.status, status, response.bodyText, file: file, line: line)
        XCTAssertTrue(response.bodyText.hasPrefix("{\"error\":{\"code\":\"\(code)\""), response.bodyText, file: file, line: line)
        XCTAssertEqual(response.header("content-type"), "application/json", file: file, line: line)
        XCTAssertEqual(response.header("content-length"), "\(response.body.count)", file: file, line: line)
        XCTAssertEqual(response.header("connection"), "close", file: file, line: line)
    }

    func testDeclaredLengthOverLimitIs413BeforeTheBody() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.bodyBytesMax = self.bodyLimit }
        let client = try live.client()
        client.send("POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nContent-Length: \(bodyLimit + 1)\r\n\r\n")
        assertError(client.readResponse(), status: 413, code: "body_too_large")
        // The client ignores the answer and sends the body anyway: only the drain budget is read.
        client.send([UInt8](repeating: 0x61, count: bodyLimit + 1))
        XCTAssertTrue(client.waitForClose())
        XCTAssertLessThanOrEqual(live.server.statistics.bodyBytesReceived, 64 << 10)
    }

    func testStreamedBodyOverLimitIs413AfterReadingAtMostLimitPlus64KiB() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.bodyBytesMax = self.bodyLimit }
        let client = try live.client()
        client.send("POST /v1/sources/s/records HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = Array("2000\r\n".utf8) + [UInt8](repeating: 0x62, count: 0x2000) + Array("\r\n".utf8)
        var sentBytes = 0
        while sentBytes < 64 * bodyLimit, client.send(chunk) {  // up to 2 MiB, until the server closes
            sentBytes += 0x2000
        }
        assertError(client.readResponse(), status: 413, code: "body_too_large")
        XCTAssertTrue(client.waitForClose())
        let read = live.server.statistics.bodyBytesReceived
        XCTAssertGreaterThan(read, bodyLimit)
        XCTAssertLessThanOrEqual(read, bodyLimit + (64 << 10), "sent \(sentBytes)")
        XCTAssertEqual(live.server.statistics.inFlightBytes, 0)
    }

    func testBodyAtTheLimitIsAccepted() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.bodyBytesMax = self.bodyLimit }
        let response = try live.client().request("POST", "/v1/sources/s/records", body: [UInt8](repeating: 0x63, count: bodyLimit))
        XCTAssertEqual(response?.status, 202)
        XCTAssertEqual(response?.bodyText, "{\"source\":\"s\",\"bytes\":\(bodyLimit)}")
    }

    func testTooManyHeadersIs431() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.headerCountMax = 20 }
        let headers = (0..<25).map { ("X-Filler-\($0)", "v") }
        assertError(try live.client().request("GET", "/healthz", headers: headers), status: 431, code: "headers_too_large")
        // Just under the count (Host + 18) passes.
        let fewer = (0..<18).map { ("X-Filler-\($0)", "v") }
        XCTAssertEqual(try live.client().request("GET", "/healthz", headers: fewer)?.status, 200)
    }

    func testTooLargeHeaderBlockIs431() throws {
        let live = try LiveServer(self, handler: sampleRouter()) { $0.headerBytesMax = 4096 }
        let big = String(repeating: "a", count: 5000)
        assertError(try live.client().request("GET", "/healthz", headers: [("X-Big", big)]), status: 431, code: "headers_too_large")
        let spread = (0..<10).map { ("X-Part-\($0)", String(repeating: "b", count: 500)) }
        assertError(try live.client().request("GET", "/healthz", headers: spread), status: 431, code: "headers_too_large")
        assertError(try live.client().request("GET", "/" + big), status: 431, code: "headers_too_large")
    }

    func testMalformedRequestsAre400() throws {
        let live = try LiveServer(self, handler: sampleRouter())
        let cases = [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
            "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ]
        for text in cases {
            let client = try live.client()
            client.send(text)
            assertError(client.readResponse(), status: 400, code: "bad_request")
            XCTAssertTrue(client.waitForClose(), text)
        }
        XCTAssertEqual(try live.client().request("GET", "/healthz")?.status, 200)
    }
}
