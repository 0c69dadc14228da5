import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (RELIABILITY S5): with every log at `trace` — the server's logger and, through
/// `LoggingSystem`, any logger made with the default factory — the publish, read,
/// quarantine and admin flows, run with every kind of token (valid, other agency's,
/// revoked, malformed) and with webhook-style secrets in headers and bodies, write none of
/// those secrets (nor a long piece of one) to any log line; and the data directory holds no
/// plaintext token afterwards.
final class SecretsTests: XCTestCase {
    func testNoSecretReachesAnyLogAcrossTheFlows() async throws {
        let processWide = CapturingLogHandler.processWide
        let api = try await LiveAPI(bodyBytesMax: 64 << 10)
        let revoked = try api.bus.tokens.create(kind: .publisher, name: "retired-siak", sources: ["population"])
        XCTAssertTrue(try api.bus.tokens.revoke(id: revoked.record.id))
        let webhookSecret = "whsec_" + Self.randomBase64(bytes: 32)
        let signature = "v1," + Self.randomBase64(bytes: 32)
        let secrets = [api.admin, api.publisher, api.otherPublisher, api.consumer, revoked.token, webhookSecret, signature]
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

    static func randomBase64(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }
}
