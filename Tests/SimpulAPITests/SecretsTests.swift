import Foundation
import XCTest
@testable import SimpulAPI
import SimpulDelivery
import SimpulTestSupport

/// Goal (RELIABILITY S5): with every log at `trace` — the server's logger and, through
/// `LoggingSystem`, any logger made with the default factory (the delivery engine's) — the
/// publish, read, quarantine, subscription, delivery, DLQ, status-page and admin flows, run
/// with every kind of token (valid, other agency's, revoked, malformed), with subscription
/// signing secrets (given and generated), the signatures made with them and a status-page
/// session, write none of those secrets (nor a long piece of one) to any log line; and the
/// data directory holds no plaintext token afterwards.
final class SecretsTests: XCTestCase {
    func testNoSecretReachesAnyLogAcrossTheFlows() async throws {
        let processWide = CapturingLogHandler.processWide
        let receiver = RecordingReceiver()
        let api = try await LiveAPI(bodyBytesMax: 64 << 10, receiver: receiver)
        let revoked = try api.bus.tokens.create(kind: .publisher, name: "retired-siak", sources: ["population"])
        XCTAssertTrue(try api.bus.tokens.revoke(id: revoked.record.id))
        let webhookSecret = "whsec_" + Self.randomBase64(bytes: 32)
        let signature = "v1," + Self.randomBase64(bytes: 32)
        var secrets = [api.admin, api.publisher, api.otherPublisher, api.consumer, revoked.token, webhookSecret, signature]
        let webhook = [("webhook-id", "msg_2kWPBgLlAfxeNbTkSNL6Hg"), ("webhook-timestamp", "1790000000"),
                       ("webhook-signature", signature), ("X-Webhook-Secret", webhookSecret)]
        let csv = try RepositoryPaths.sample("population", "valid.csv")
        let invalid = try RepositoryPaths.sample("population", "invalid.csv")
        var answered = 0
        func expect(_ status: Int, _ method: String, _ target: String, token: String? = nil,
                    headers: [(String, String)] = [], body: [UInt8] = []) throws -> RawHTTPClient.Response {
            let response = try api.request(method, target, token: token, headers: headers, body: body)
            XCTAssertEqual(response.status, status, "\(method) \(target): \(response.bodyText)")
            answered += 1
            return response
        }

        // Subscriptions: one with a given secret, one with a generated one whose receiver refuses.
        let json = [("Content-Type", "application/json")]
        _ = try expect(201, "POST", "/v1/subscriptions", token: api.admin, headers: json, body: Array("""
            {"name":"portal-hook","topics":["city.population.person"],"url":"https://portal.example/hook","secret":"\(webhookSecret)"}
            """.utf8))
        let generated = try expect(201, "POST", "/v1/subscriptions", token: api.admin, headers: json, body: Array("""
            {"name":"refused-hook","topics":["city.population.person"],"url":"https://refuse.example/hook"}
            """.utf8))
        secrets.append(api.json(generated)["secret"] as? String ?? "generated secret missing")
        _ = try expect(422, "POST", "/v1/subscriptions", token: api.admin, headers: json, body: Array("""
            {"name":"bad-hook","topics":["city.population.person"],"url":"https://portal.example/hook","secret":"\(webhookSecret)x"}
            """.utf8))
        _ = try expect(200, "PATCH", "/v1/subscriptions/portal-hook", token: api.admin, headers: json, body: Array(#"{"timeoutMs":5000}"#.utf8))
        _ = try expect(200, "GET", "/v1/subscriptions", token: api.admin)
        _ = try expect(403, "GET", "/v1/subscriptions/portal-hook", token: api.consumer)

        // Publish: native and canonical, own and foreign source, refused records, every token kind.
        _ = try expect(202, "POST", "/v1/sources/population/records", token: api.publisher, headers: webhook, body: csv)
        let refused = try expect(422, "POST", "/v1/sources/population/records", token: api.publisher,
                                 headers: [("Idempotency-Key", "siak-export-7")], body: invalid)
        _ = try expect(403, "POST", "/v1/sources/population/records", token: api.otherPublisher, body: csv)
        _ = try expect(401, "POST", "/v1/sources/population/records", token: revoked.token, body: csv)
        _ = try expect(403, "POST", "/v1/events", token: api.consumer, headers: [("Content-Type", "application/cloudevents+json")])
        let event = """
        {"specversion":"1.0","id":"bpn-secret-1","source":"/balikpapan/dpmptsp/oss","type":"city.business.business.upserted",
         "dataschema":"schemas/business.v1.json","subject":"business/\(webhookSecret)",
         "data":{"nib":"9120001234567","name":"CV \(signature)","kbli":[{"code":"47111","title":"Perdagangan eceran"}]}}
        """
        _ = try expect(202, "POST", "/v1/events", token: api.admin,
                       headers: webhook + [("Content-Type", "application/cloudevents+json")], body: Array(event.utf8))
        // Read: allowed and forbidden topics, a long-poll, a scheme in lower case.
        _ = try expect(200, "GET", "/v1/topics/city.population.person/events?from=0&limit=5&wait=0.2", token: api.consumer)
        _ = try expect(200, "GET", "/v1/topics", headers: [("Authorization", "bearer \(api.consumer)")])
        _ = try expect(403, "GET", "/v1/topics/city.business.business/events", token: api.consumer)
        _ = try expect(403, "GET", "/v1/topics", token: api.publisher)
        // Quarantine and admin.
        let quarantineID = (api.json(refused)["records"] as? [[String: Any]])?.compactMap { $0["quarantineId"] as? String }.first ?? "?"
        _ = try expect(200, "GET", "/v1/quarantine?status=open", token: api.admin)
        _ = try expect(200, "GET", "/v1/quarantine/\(quarantineID)", token: api.admin, headers: webhook)
        _ = try expect(200, "POST", "/v1/quarantine/\(quarantineID)/retry", token: api.admin)  // still refused: stays open
        _ = try expect(403, "GET", "/v1/quarantine/\(quarantineID)", token: api.publisher)
        _ = try expect(200, "GET", "/v1/stats", token: api.admin)
        _ = try expect(200, "GET", "/metrics", token: api.admin)
        _ = try expect(200, "GET", "/readyz", token: api.admin)
        _ = try expect(401, "GET", "/v1/stats", headers: [("Authorization", api.admin)])
        _ = try expect(401, "GET", "/v1/stats", headers: [("Authorization", "Bearer \(api.admin) \(webhookSecret)")])
        // Delivery: the bus signs with both secrets; the refused events land in the DLQ.
        for _ in 0..<500 where receiver.signatures(for: "refuse.example").isEmpty || receiver.signatures(for: "portal.example").isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        secrets += receiver.signatures(for: "portal.example") + receiver.signatures(for: "refuse.example")
        XCTAssertFalse(receiver.signatures(for: "portal.example").isEmpty, "nothing was delivered: no signature to look for")
        let dead = try expect(200, "GET", "/v1/dlq?subscription=refused-hook", token: api.admin)
        let deadID = (api.json(dead)["entries"] as? [[String: Any]])?.first?["id"] as? String ?? "?"
        _ = try expect(200, "GET", "/v1/dlq/\(deadID)", token: api.admin)
        _ = try expect(200, "POST", "/v1/dlq/replay", token: api.admin, headers: json, body: Array(#"{"ids":["\#(deadID)"]}"#.utf8))
        _ = try expect(200, "POST", "/v1/subscriptions/refused-hook/pause", token: api.admin)
        _ = try expect(204, "DELETE", "/v1/subscriptions/refused-hook", token: api.admin)
        // The status page: a failed and a good login, the page with the session cookie, logout.
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        _ = try expect(401, "POST", "/login", headers: form, body: Array("token=\(revoked.token)".utf8))
        let login = try expect(303, "POST", "/login", headers: form, body: Array("token=\(api.admin)".utf8))
        let session = login.header("Set-Cookie")?.split(separator: ";").first.map(String.init) ?? "no cookie"
        secrets.append(String(session.split(separator: "=").last ?? ""))
        _ = try expect(200, "GET", "/", headers: [("Cookie", session)])
        _ = try expect(303, "POST", "/logout", headers: [("Cookie", session)])
        // Refused by the router and by the server's limits, secrets in the request.
        _ = try expect(404, "GET", "/v1/nowhere", token: api.admin, headers: webhook)
        _ = try expect(405, "DELETE", "/v1/stats", token: api.admin)
        _ = try expect(413, "POST", "/v1/sources/population/records", token: api.publisher,
                       body: [UInt8](repeating: 0x41, count: 100 << 10))
        _ = try expect(431, "GET", "/v1/stats", token: api.admin, headers: [("X-Big", String(repeating: "b", count: 20 << 10))])
        let malformed = try RawHTTPClient(port: api.port)
        malformed.send("GET /v1/stats HTTP/1.1\r\nAuthorization: Bearer \(api.admin)\r\nwebhook-signature: \(signature)\r\nBroken\r\n\r\n")
        XCTAssertEqual(malformed.readResponse()?.status, 400)
        await api.stop()

        let serverLines = api.logLines.all
        XCTAssertGreaterThanOrEqual(serverLines.filter { $0.contains("request answered") }.count, answered - 3,
                                    "the trace log did not see the flows: the check below would pass vacuously")
        XCTAssertGreaterThanOrEqual(serverLines.filter { $0.contains("request rejected") }.count, 3)
        XCTAssertTrue(processWide.all.contains { $0.contains("deadlettered") },
                      "the delivery engine's log was not captured: \(processWide.all.suffix(5))")
        for line in serverLines + processWide.all {
            for secret in secrets {
                // The whole secret, and its last 16 characters (a token cut or re-encoded on the way).
                XCTAssertFalse(line.contains(secret) || line.contains(String(secret.suffix(16))),
                               "a secret (\(secret.prefix(8))…) reached the log: \(line)")
            }
        }
        let tokens = [api.admin, api.publisher, api.otherPublisher, api.consumer, revoked.token]
        XCTAssertEqual(DataDirectoryGrep.hits(of: tokens, in: api.directory.path + "/data"), [])
    }

    /// A `whsec_` secret as the Standard Webhooks libraries make them (24 bytes of key).
    static func randomBase64(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }
}

/// A webhook receiver without a network: refuses (410, dead-letter at once) URLs on
/// `refuse.example`, accepts the rest, and keeps the signatures it was sent.
final class RecordingReceiver: AsyncDeliveryTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [(url: String, signature: String)] = []

    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        let signature = request.headers.first { $0.name.lowercased() == "webhook-signature" }?.value ?? ""
        lock.withLock { received.append((request.url, signature)) }
        return DeliveryResponse(status: request.url.contains("refuse.example") ? 410 : 204, duration: .zero, error: nil)
    }

    /// The `v1,…` signatures sent to URLs containing `host`.
    func signatures(for host: String) -> [String] {
        lock.withLock { received.filter { $0.url.contains(host) && !$0.signature.isEmpty }.map(\.signature) }
    }
}
