import Foundation
import XCTest
@testable import SimpulAPI
import SimpulBus
import SimpulTestSupport

/// Goal (issue 4 tests): over real HTTP on 127.0.0.1, every adapter's valid samples are
/// published and readable from their topic, invalid ones are in quarantine with their
/// codes, retries are idempotent, and every refusal carries the promised status and
/// `{"error":{"code","message"}}` body.
final class EndToEndTests: XCTestCase {
    func testSamplesFlowToTopicsAndQuarantine() async throws {
        let api = try await LiveAPI()
        let samples = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.adapters)
            .filter { FileManager.default.fileExists(atPath: RepositoryPaths.adapters + "/\($0)/samples") }
        XCTAssertEqual(Set(samples), ["eoffice", "population", "simtaru", "siperietnik"])
        for source in samples.sorted() {
            for file in try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.adapters + "/\(source)/samples").sorted() {
                let response = try api.request("POST", "/v1/sources/\(source)/records?filename=\(file)", token: api.admin,
                                               body: try RepositoryPaths.sample(source, file))
                let body = api.json(response)
                let records = body["records"] as? [[String: Any]] ?? []
                XCTAssertFalse(records.isEmpty, "\(source)/\(file): \(response.bodyText)")
                if file.hasPrefix("valid") {
                    XCTAssertTrue([200, 202].contains(response.status), "\(source)/\(file): \(response.bodyText)")
                    XCTAssertEqual(body["rejected"] as? Int, 0, "\(source)/\(file): \(response.bodyText)")
                    for record in records {
                        let topic = record["topic"] as? String ?? ""
                        let offset = record["offset"] as? Int ?? -1
                        let read = try api.request("GET", "/v1/topics/\(topic)/events?from=\(offset)&limit=1", token: api.admin)
                        XCTAssertEqual(read.status, 200)
                        XCTAssertTrue(read.bodyText.contains(record["id"] as? String ?? "?"), read.bodyText)
                    }
                } else {
                    XCTAssertGreaterThan(body["rejected"] as? Int ?? 0, 0, "\(source)/\(file): \(response.bodyText)")
                    for record in records where record["ok"] as? Bool == false {
                        let id = record["quarantineId"] as? String ?? ""
                        let shown = try api.request("GET", "/v1/quarantine/\(id)", token: api.admin)
                        XCTAssertEqual(shown.status, 200, shown.bodyText)
                        let codes = (api.json(shown)["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                        XCTAssertFalse(codes.isEmpty)
                    }
                }
            }
        }
        let quarantine = try api.request("GET", "/v1/quarantine?status=open", token: api.admin)
        XCTAssertGreaterThan((api.json(quarantine)["entries"] as? [Any])?.count ?? 0, 0)
        await api.stop()
    }

    func testAuthorizationAnswers() async throws {
        let api = try await LiveAPI()
        let csv = try RepositoryPaths.sample("population", "valid.csv")
        XCTAssertEqual(try api.request("POST", "/v1/sources/population/records", body: csv).status, 401)
        XCTAssertEqual(try api.request("POST", "/v1/sources/population/records", token: "spl_pub_wrong", body: csv).status, 401)
        let foreign = try api.request("POST", "/v1/sources/population/records", token: api.otherPublisher, body: csv)
        XCTAssertEqual(foreign.status, 403)
        XCTAssertEqual((api.json(foreign)["error"] as? [String: Any])?["code"] as? String, "forbidden")
        XCTAssertEqual(try api.request("POST", "/v1/sources/population/records", token: api.publisher, body: csv).status, 202)
        XCTAssertEqual(try api.request("GET", "/v1/topics/city.spatial.permit/events", token: api.consumer).status, 403)
        let allowed = try api.request("GET", "/v1/topics/city.population.person/events", token: api.consumer)
        XCTAssertEqual(allowed.status, 200)
        XCTAssertFalse(allowed.bodyText.contains("6471015203900001"), "a NIK reached a consumer without population rights")
        await api.stop()
    }

    func testIdempotencyKeyOverHTTPAndAcrossARestart() async throws {
        let directory = try TemporaryDirectory("api-restart")
        var api = try await LiveAPI(directory: directory)
        let body = try RepositoryPaths.sample("siperietnik", "valid-single.json")
        let headers = [("Idempotency-Key", "izin-2026-0001"), ("Content-Type", "application/json")]
        let first = try api.request("POST", "/v1/sources/siperietnik/records", token: api.admin, headers: headers, body: body)
        XCTAssertEqual(first.status, 202, first.bodyText)
        await api.stop()
        api = try await LiveAPI(directory: directory)
        let again = try api.request("POST", "/v1/sources/siperietnik/records", token: api.admin, headers: headers, body: body)
        XCTAssertEqual(again.status, 200, again.bodyText)
        let firstRecord = (api.json(first)["records"] as? [[String: Any]])?.first
        let againRecord = (api.json(again)["records"] as? [[String: Any]])?.first
        XCTAssertEqual(firstRecord?["id"] as? String, againRecord?["id"] as? String)
        XCTAssertEqual(firstRecord?["offset"] as? Int, againRecord?["offset"] as? Int)
        let other = try RepositoryPaths.sample("siperietnik", "valid.json")
        let conflict = try api.request("POST", "/v1/sources/siperietnik/records", token: api.admin, headers: headers, body: other)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual((api.json(conflict)["error"] as? [String: Any])?["code"] as? String, "idempotency.conflict")
        await api.stop()
        directory.remove()
    }

    func testClientMistakesGetJSONErrors() async throws {
        let api = try await LiveAPI(bodyBytesMax: 64 << 10)
        let big = try api.request("POST", "/v1/sources/population/records", token: api.admin,
                                  body: [UInt8](repeating: 0x41, count: 200 << 10))
        XCTAssertEqual(big.status, 413)
        let unknown = try api.request("POST", "/v1/sources/nope/records", token: api.admin, body: [1])
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual((api.json(unknown)["error"] as? [String: Any])?["code"] as? String, "source.unknown")
        let badType = try api.request("POST", "/v1/sources/population/records", token: api.admin,
                                      headers: [("Content-Type", "image/png")], body: [1])
        XCTAssertEqual(badType.status, 415)
        let badQuery = try api.request("GET", "/v1/topics/city.population.person/events?limit=0", token: api.admin)
        XCTAssertEqual(badQuery.status, 400)
        let badJSON = try api.request("POST", "/v1/events", token: api.admin,
                                      headers: [("Content-Type", "application/cloudevents+json")], body: Array("{".utf8))
        XCTAssertEqual(badJSON.status, 400)
        for response in [big, unknown, badType, badQuery, badJSON] {
            let error = api.json(response)["error"] as? [String: Any]
            XCTAssertNotNil(error?["code"] as? String, response.bodyText)
            XCTAssertFalse((error?["message"] as? String ?? "").isEmpty, response.bodyText)
        }
        await api.stop()
    }

    func testCanonicalEventsAreCheckedAgainstTheirSchema() async throws {
        let api = try await LiveAPI()
        let good = """
        {"specversion":"1.0","id":"bpn-biz-1","source":"/balikpapan/dpmptsp/oss","type":"city.business.business.upserted",
         "dataschema":"schemas/business.v1.json","time":"2026-11-22T03:00:00Z","subject":"business/9120001234567",
         "data":{"nib":"9120001234567","name":"CV Maju Bersama","kbli":[{"code":"47111","title":"Perdagangan eceran"}]}}
        """
        let accepted = try api.request("POST", "/v1/events", token: api.admin,
                                       headers: [("Content-Type", "application/cloudevents+json")], body: Array(good.utf8))
        XCTAssertEqual(accepted.status, 202, accepted.bodyText)
        let bad = good.replacingOccurrences(of: "9120001234567\",\"name", with: "12\",\"name")
            .replacingOccurrences(of: "bpn-biz-1", with: "bpn-biz-2")
        let refused = try api.request("POST", "/v1/events", token: api.admin,
                                      headers: [("Content-Type", "application/cloudevents-batch+json")], body: Array("[\(bad)]".utf8))
        XCTAssertEqual(refused.status, 422, refused.bodyText)
        XCTAssertTrue(refused.bodyText.contains("data.nib") || refused.bodyText.contains("nib"), refused.bodyText)
        await api.stop()
    }
}
