import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (RELIABILITY S5): with the server logging at trace level, a run of authenticated,
/// refused and malformed requests writes no token to any log line.
final class SecretsTests: XCTestCase {
    func testNoTokenReachesTheLogAtTraceLevel() async throws {
        let api = try await LiveAPI()
        let csv = try RepositoryPaths.sample("population", "valid.csv")
        _ = try api.request("POST", "/v1/sources/population/records", token: api.publisher, body: csv)
        _ = try api.request("POST", "/v1/sources/population/records", token: api.otherPublisher, body: csv)
        _ = try api.request("GET", "/v1/topics/city.population.person/events", token: api.consumer)
        _ = try api.request("GET", "/v1/stats", token: api.admin)
        _ = try api.request("GET", "/v1/stats", token: api.admin + "x")
        _ = try api.request("GET", "/v1/quarantine", headers: [("Authorization", api.admin)])
        await api.stop()
        let lines = api.logLines.all
        XCTAssertFalse(lines.isEmpty, "the capture saw nothing: the test would pass vacuously")
        for token in [api.admin, api.publisher, api.otherPublisher, api.consumer] {
            for line in lines {
                XCTAssertFalse(line.contains(token), "a token reached the log: \(line)")
                XCTAssertFalse(line.contains(String(token.dropFirst(8))), "part of a token reached the log: \(line)")
            }
        }
    }
}
