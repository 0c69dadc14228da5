import XCTest

@testable import SimpulServer

/// Goal: a handler bug (a CR/LF in a header, a body on 204, a 1xx final status) becomes a
/// `500 internal_error` on a connection that keeps working, never a hang or a corrupted
/// stream; a valid 204 goes out without a body or Content-Length.
final class HandlerBugTests: XCTestCase {
    func testBuggyResponsesBecome500AndTheConnectionKeepsWorking() throws {
        var router = sampleRouter()
        router.add(.GET, "/crlf") { _ in HTTPResponse(status: 200, headers: [("X-Bad", "a\r\nSet-Cookie: x")]) }
        router.add(.GET, "/badname") { _ in HTTPResponse(status: 200, headers: [("Bad Name", "v")]) }
        router.add(.GET, "/body204") { _ in HTTPResponse(status: 204, body: Array("x".utf8)) }
        router.add(.GET, "/status100") { _ in HTTPResponse(status: 100) }
        router.add(.GET, "/empty204") { _ in HTTPResponse(status: 204) }
        let live = try LiveServer(self, handler: router)
        let client = try live.client()
        for path in ["/crlf", "/badname", "/body204", "/status100"] {
            let response = try XCTUnwrap(client.request("GET", path), path)
            XCTAssertEqual(response.status, 500, path)
            XCTAssertTrue(response.bodyText.contains(#""code":"internal_error""#), path)
            XCTAssertFalse(response.bodyText.contains("Set-Cookie"), path)
        }
        let empty = try XCTUnwrap(client.request("GET", "/empty204"))
        XCTAssertEqual(empty.status, 204)
        XCTAssertNil(empty.header("content-length"))
        XCTAssertEqual(client.request("GET", "/healthz")?.bodyText, "ok")
    }
}
