import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (RELIABILITY S5): every route of the API but the two probes, enumerated from the
/// router table (so that routes added later are covered without touching this test),
/// answers 401 with the JSON error body to a request without a valid token: none, another
/// scheme, an unknown token, a revoked admin token (the status page's routes answer a browser
/// 401 with the login form). Admin routes refuse other principals with 403, and the data
/// directory holds no plaintext token.
final class RouteAuthorizationTests: XCTestCase {
    /// A path for `pattern` with every `{name}` placeholder filled by a plausible value.
    static func samplePath(_ pattern: String) -> String {
        let samples = ["source": "population", "topic": "city.population.person"]
        return pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return String(segment) }
            return samples[String(segment.dropFirst().dropLast())] ?? "sample-1"
        }.joined(separator: "/")
    }

    func testEveryRouteButTheProbesRefusesWithoutAValidToken() async throws {
        let api = try await LiveAPI()
        let revoked = try api.bus.tokens.create(kind: .admin, name: "former-admin")
        XCTAssertTrue(try api.bus.tokens.revoke(id: revoked.record.id))
        let guarded = api.router.routes.filter { !APIRouter.publicRoutes.contains($0.description) }
        // Today's table has 24; a shrunken table would make the loop below prove little.
        XCTAssertGreaterThanOrEqual(guarded.count, 20, "\(api.router.routes)")
        XCTAssertEqual(guarded.count + APIRouter.publicRoutes.count, api.router.routes.count,
                       "a public route is missing from the router: \(APIRouter.publicRoutes)")
        let refusals: [(String, [(String, String)])] = [
            ("no Authorization header", []),
            ("another scheme", [("Authorization", "Basic \(api.admin)")]),
            ("a bare token without the scheme", [("Authorization", api.admin)]),
            ("an unknown token", [("Authorization", "Bearer spl_adm_0000")]),
            ("an admin token with a character more", [("Authorization", "Bearer \(api.admin)x")]),
            ("a revoked admin token", [("Authorization", "Bearer \(revoked.token)")]),
        ]
        for route in guarded {
            let path = Self.samplePath(route.pattern)
            for (name, headers) in refusals {
                let response = try api.request(route.method, path, headers: headers)
                XCTAssertEqual(response.status, 401, "\(route) with \(name) answered \(response.status): \(response.bodyText)")
                if response.header("Content-Type")?.hasPrefix("text/html") == true {
                    // The status page's routes answer a browser with the login form instead.
                    XCTAssertTrue(response.bodyText.contains("<form"), "\(route) with \(name): \(response.bodyText)")
                    continue
                }
                XCTAssertEqual(HTTPAnswerRules.errorShape(response.body)?.code, "unauthorized", "\(route) with \(name)")
                XCTAssertEqual(response.header("WWW-Authenticate"), "Bearer", "\(route) with \(name)")
            }
        }
        for admin in ["/v1/stats", "/metrics", "/v1/quarantine"] {
            XCTAssertEqual(try api.request("GET", admin, token: api.publisher).status, 403, admin)
            XCTAssertEqual(try api.request("GET", admin, token: api.consumer).status, 403, admin)
            XCTAssertEqual(try api.request("GET", admin, token: api.admin).status, 200, admin)
        }
        XCTAssertEqual(try api.request("GET", "/healthz").status, 200)
        XCTAssertEqual(try api.request("GET", "/readyz").status, 200)
        await api.stop()
        let tokens = [api.admin, api.publisher, api.otherPublisher, api.consumer, revoked.token]
        XCTAssertEqual(DataDirectoryGrep.hits(of: tokens, in: api.directory.path + "/data"), [])
    }

    func testSamplePathFillsEveryPlaceholder() {
        XCTAssertEqual(Self.samplePath("/v1/sources/{source}/records"), "/v1/sources/population/records")
        XCTAssertEqual(Self.samplePath("/v1/subscriptions/{name}/pause"), "/v1/subscriptions/sample-1/pause")
        XCTAssertEqual(Self.samplePath("/metrics"), "/metrics")
    }
}

/// Searches every file of a data directory for plaintext secrets (RELIABILITY S5).
enum DataDirectoryGrep {
    /// `file: secret prefix` for each file that holds one of `secrets`; empty when none does.
    /// Fails loudly (a hit named `nothing to search`) when the directory has no token store,
    /// so that a wrong path cannot pass.
    static func hits(of secrets: [String], in directory: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        guard files.contains("tokens.json") else { return ["nothing to search: no tokens.json in \(directory)"] }
        var hits: [String] = []
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
            for secret in secrets where bytes.range(of: Data(secret.utf8)) != nil {
                hits.append("\(file): \(secret.prefix(8))…")
            }
        }
        return hits
    }
}
