import Foundation
import XCTest
@testable import SimpulAPI
import SimpulBus
import SimpulTestSupport

/// Goal (issue 5 points 1 and 5, the admin contract the CLI relies on): subscriptions are
/// created (secret shown once), shown, changed, paused, resumed and deleted over HTTP;
/// the DLQ routes answer with the documented shapes; mistakes are 4xx that name the key.
final class SubscriptionAPITests: XCTestCase {
    func testSubscriptionLifecycle() async throws {
        let api = try await LiveAPI()
        let body = Array(#"{"name":"dukcapil-sink","owner":"Dinas Dukcapil","topics":["city.population.person"],"url":"http://127.0.0.1:9/hook","ordering":"key"}"#.utf8)
        let created = try api.request("POST", "/v1/subscriptions", token: api.admin, headers: [("Content-Type", "application/json")], body: body)
        XCTAssertEqual(created.status, 201, String(decoding: created.body, as: UTF8.self))
        let secret = try XCTUnwrap(api.json(created)["secret"] as? String)
        XCTAssertTrue(secret.hasPrefix("whsec_"))
        let shown = try api.request("GET", "/v1/subscriptions/dukcapil-sink", token: api.admin)
        XCTAssertEqual(shown.status, 200)
        XCTAssertFalse(String(decoding: shown.body, as: UTF8.self).contains(secret), "the secret is shown only at creation")
        XCTAssertEqual(api.json(shown)["ordering"] as? String, "key")
        XCTAssertEqual((api.json(shown)["state"] as? [String: Any])?["breaker"] as? String, "closed")

        let again = try api.request("POST", "/v1/subscriptions", token: api.admin, body: body)
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual((api.json(again)["error"] as? [String: Any])?["code"] as? String, "subscription_exists")

        let patched = try api.request("PATCH", "/v1/subscriptions/dukcapil-sink", token: api.admin, body: Array(#"{"timeoutMs":2500}"#.utf8))
        XCTAssertEqual(patched.status, 200)
        XCTAssertEqual(api.json(patched)["timeoutMs"] as? Int, 2500)
        let paused = try api.request("POST", "/v1/subscriptions/dukcapil-sink/pause", token: api.admin)
        XCTAssertEqual(api.json(paused)["paused"] as? Bool, true)
        let resumed = try api.request("POST", "/v1/subscriptions/dukcapil-sink/resume", token: api.admin)
        XCTAssertEqual(api.json(resumed)["paused"] as? Bool, false)
        let list = try api.request("GET", "/v1/subscriptions", token: api.admin)
        XCTAssertEqual((api.json(list)["subscriptions"] as? [Any])?.count, 1)
        let stats = try api.request("GET", "/v1/stats", token: api.admin)
        XCTAssertEqual(((api.json(stats)["subscriptions"] as? [[String: Any]])?.first)?["name"] as? String, "dukcapil-sink")
        let metrics = try api.request("GET", "/metrics", token: api.admin)
        XCTAssertTrue(String(decoding: metrics.body, as: UTF8.self).contains("simpul_delivery_lag_events{subscription=\"dukcapil-sink\"}"))

        XCTAssertEqual(try api.request("DELETE", "/v1/subscriptions/dukcapil-sink", token: api.admin).status, 204)
        XCTAssertEqual(try api.request("GET", "/v1/subscriptions/dukcapil-sink", token: api.admin).status, 404)
        await api.stop()
    }

    func testMistakesNameTheKey() async throws {
        let api = try await LiveAPI()
        let cases: [(String, String)] = [
            (#"{"topics":["a.b"],"url":"http://x/"}"#, "name"),
            (#"{"name":"Bad Name","topics":["a.b"],"url":"http://x/"}"#, "name"),
            (#"{"name":"s1","topics":[],"url":"http://x/"}"#, "topics"),
            (#"{"name":"s1","topics":["a.b"],"url":"ftp://x/"}"#, "url"),
            (#"{"name":"s1","topics":["a.b"],"url":"http://x/","retry":{"delaysMs":[]}}"#, "delaysMs"),
            (#"{"name":"s1","topics":["a.b"],"url":"http://x/","maxInFlight":0}"#, "maxInFlight"),
            (#"{"name":"s1","topics":["a.b"],"url":"http://x/","fieldPolicy":{"redact":["nik"]}}"#, "fieldPolicy.redact"),
            (#"{"name":"s1","topics":["a.b"],"url":"http://x/","secret":"abc"}"#, "secret"),
            (#"{"name":"s1","topics":["a.b"],"url":"http://x/","colour":"red"}"#, "colour"),
        ]
        for (body, key) in cases {
            let response = try api.request("POST", "/v1/subscriptions", token: api.admin, body: Array(body.utf8))
            XCTAssertEqual(response.status, 422, body)
            let message = (api.json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
            XCTAssertTrue(message.contains(key), "\(body): \(message)")
        }
        XCTAssertEqual(try api.request("POST", "/v1/subscriptions", token: api.admin, body: Array("{".utf8)).status, 400)
        XCTAssertEqual(try api.request("POST", "/v1/subscriptions", token: api.publisher, body: Array("{}".utf8)).status, 403)
        XCTAssertEqual(try api.request("GET", "/v1/dlq?status=abc", token: api.admin).status, 422)
        XCTAssertEqual(try api.request("POST", "/v1/dlq/replay", token: api.admin, body: Array("{}".utf8)).status, 422)
        // Each replay field has one type; a wrong one is refused rather than read as absent
        // (found by schemathesis: an array "status" and object "until" replayed everything).
        for body in [#"{"subscription": "s", "status": [{}]}"#, #"{"subscription": "s", "until": {}}"#,
                     #"{"subscription": 5}"#, #"{"subscription": "s", "dryRun": "yes"}"#,
                     #"{"subscription": "s", "force": null}"#] {
            XCTAssertEqual(try api.request("POST", "/v1/dlq/replay", token: api.admin, body: Array(body.utf8)).status, 422, body)
        }
        XCTAssertEqual(try api.request("POST", "/v1/dlq/replay", token: api.admin,
                                       body: Array(#"{"subscription": "s", "status": 503, "dryRun": true}"#.utf8)).status, 200)
        let empty = try api.request("GET", "/v1/dlq", token: api.admin)
        XCTAssertEqual(empty.status, 200)
        XCTAssertEqual(api.json(empty)["total"] as? Int, 0)
        XCTAssertEqual(try api.request("GET", "/v1/dlq/dlq_nothing", token: api.admin).status, 404)
        await api.stop()
    }
}
