import Foundation
import XCTest
@testable import SimpulDelivery

/// Goal (issue 6: the admin CLI sends its API calls through this client): one reused handle
/// sends GET, POST, PATCH and DELETE in any order, each with its own verb, and a body only
/// where the verb carries one — a GET after a POST must not resend the POST's body.
final class HTTPMethodTests: XCTestCase {
    func testEachRequestSendsItsOwnMethodOnAReusedHandle() throws {
        let sink = try LoopbackSink()
        defer { sink.stop() }
        let client = try HTTPDeliveryClient(options: HTTPDeliveryClientOptions(addressPolicy: AddressPolicy(allowPrivateNetworks: true)))
        let url = "http://127.0.0.1:\(sink.port)/ok"
        let body = Array(#"{"paused":true}"#.utf8)
        let sequence: [DeliveryRequest.Method] = [.get, .post, .get, .patch, .delete, .post, .put, .get]
        for method in sequence {
            let response = client.send(DeliveryRequest(url: url, method: method, body: body, timeout: .seconds(5)))
            XCTAssertEqual(response.status, 200, "\(method)")
            XCTAssertNil(response.error, "\(method)")
        }
        let received = sink.requests
        XCTAssertEqual(received.map(\.method), sequence.map(\.rawValue))
        for (request, method) in zip(received, sequence) {
            XCTAssertEqual(request.body, method.sendsBody ? body : [], "\(method) body")
            XCTAssertEqual(request.headers["content-length"] != nil, method.sendsBody, "\(method) content-length")
        }
        XCTAssertEqual(sink.accepts, 1, "every verb reuses the kept-alive connection")
    }

    func testDefaultMethodIsPost() {
        XCTAssertEqual(DeliveryRequest(url: "http://example.test/", body: []).method, .post)
    }
}
