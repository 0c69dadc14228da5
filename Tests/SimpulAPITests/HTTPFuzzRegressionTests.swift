import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (RELIABILITY S4): the HTTP fuzz target's rules hold for its seed corpus and for
/// every finding kept in `Tests/Fuzz/regressions/http` (replayed through the same harness
/// binary, `simpul-fuzz-http`, that libFuzzer drives in `scripts/fuzz.sh`); each finding also
/// has a named test of the behaviour that was wrong; and the rules themselves catch a 5xx,
/// a 4xx without the JSON error body and a cut-short answer (a harness that cannot fail
/// would prove nothing).
final class HTTPFuzzRegressionTests: XCTestCase {
    func testSeedCorpusAndKeptFindingsKeepTheRules() throws {
        let root = RepositoryPaths.root()
        let binary = Products.executable("simpul-fuzz-http")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("\(binary.path) is missing: run `swift build --build-tests` first")
        }
        let result = try runCommand(binary, [root + "/Tests/Fuzz/corpus/http", root + "/Tests/Fuzz/regressions/http"])
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        let lines = result.standardOutput.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.filter { $0.hasPrefix("ok ") }.count, 15, result.standardOutput)
        // The seeds reach the routes behind authentication, not just the 401 in front of them.
        // (The harness publishes valid.csv at start: publish-csv is answered as a duplicate.)
        XCTAssertTrue(lines.contains { $0.contains("publish-csv:") && $0.hasSuffix(": 200") }, result.standardOutput)
        XCTAssertTrue(lines.contains { $0.contains("event-batch:") && $0.hasSuffix(": 202") }, result.standardOutput)
        XCTAssertTrue(lines.contains { $0.contains("quarantine-retry:") && $0.hasSuffix(": 200") }, result.standardOutput)
    }

    /// Found by the fuzzer: a publish whose every record is refused answered 422 with the
    /// per-record body only, without the `error` member every other refusal carries.
    func testRegressionRefusedPublishCarriesTheErrorMember() async throws {
        let api = try await LiveAPI()
        let input = Array(try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.root()
                                                   + "/Tests/Fuzz/regressions/http/refused-publish-without-error-member")))
        let payload = Array(input[(input.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound ?? 0)...])
        let refused = try api.request("POST", "/v1/sources/population/records", token: api.publisher,
                                      headers: [("Content-Type", "application/json")], body: payload)
        XCTAssertEqual(refused.status, 422, refused.bodyText)
        let shape = HTTPAnswerRules.errorShape(refused.body)
        XCTAssertEqual(shape?.code, "records.refused", refused.bodyText)
        XCTAssertTrue(shape?.message.contains("quarantine") ?? false, refused.bodyText)
        XCTAssertEqual((api.json(refused)["records"] as? [[String: Any]])?.first?["quarantineId"] != nil, true)
        await api.stop()
    }

    func testTheRulesCatchWhatTheyPromiseToCatch() {
        func answer(_ status: Int, _ body: String, type: String = "application/json") -> [UInt8] {
            Array("HTTP/1.1 \(status) X\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        let error = #"{"error":{"code":"x","message":"what to do"}}"#
        let cases: [(name: String, bytes: [UInt8], mayBeHead: Bool, problems: Int)] = [
            ("a 2xx and a 4xx with the error body", answer(202, "{}") + answer(404, error), false, 0),
            ("a 5xx", answer(500, error), false, 1),
            ("a 4xx without the error member", answer(422, #"{"records":[]}"#), false, 1),
            ("a 4xx with an empty code", answer(400, #"{"error":{"code":"","message":"m"}}"#), false, 1),
            ("a 4xx as text", answer(400, "bad", type: "text/plain"), false, 2),
            ("a JSON body that does not parse", answer(200, "{"), false, 1),
            ("an answer cut short", Array(answer(400, error).dropLast(3)), false, 1),
            ("a HEAD answer without its body", Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8), true, 0),
            ("a body missing where no HEAD was sent", Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8), false, 1),
            ("an interim 100 then a 4xx", Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + answer(413, error), false, 0),
            ("bytes that are not HTTP", Array("hello".utf8), false, 1),
            ("the status page's HTML login form as a 401", answer(401, "<form method=post>", type: "text/html"), false, 0),
            ("an HTML 401 that is no login form", answer(401, "<p>no</p>", type: "text/html"), false, 1),
            ("an HTML 403", answer(403, "<form>", type: "text/html"), false, 2),
        ]
        for test in cases {
            let problems = HTTPAnswerRules.check(test.bytes, requestsMayBeHead: test.mayBeHead).problems
            XCTAssertEqual(problems.count, test.problems, "\(test.name): \(problems)")
        }
    }
}
