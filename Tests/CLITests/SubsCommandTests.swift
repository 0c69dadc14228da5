import Foundation
import XCTest
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 6, `subs list|show|add|pause|resume|delete`): against the delivery
/// contract (a faithful in-memory fake until the server side lands), each command prints
/// the documented table or detail, `--json` passes the API's document through, `add`
/// sends the settable fields and prints the signing secret once, and a destructive
/// `delete` needs `--yes` when there is no terminal to ask on.
final class SubsCommandTests: XCTestCase {
    private var fake: ContractFake?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
        fake = try ContractFake(dlqCount: 3)
    }

    override func tearDown() {
        fake?.stop()
        fake = nil
    }

    func run(_ arguments: [String]) throws -> LiveServer.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = "/nonexistent/tokens.json"
        environment["SIMPUL_SERVER"] = fake?.url
        environment["SIMPUL_TOKEN"] = ContractFake.token
        environment["TZ"] = "Asia/Makassar"
        return try LiveServer.run(arguments, environment: environment)
    }

    func testListAndShow() throws {
        XCTAssertEqual(try run(["subs", "list"]), .init(status: 0, stdout: """
            NAME           TOPICS                  URL                                     STATUS  BREAKER  DELIVERED  FAILED  DLQ  LAG  OLDEST
            dukcapil-sink  city.population.person  https://receiver.example/dukcapil-sink  active  open          1200       3    3    0       -
            portal-feed    city.population.person  https://receiver.example/portal-feed    paused  closed        1200       0    0   17      1h

            """, stderr: ""))
        let json = try run(["subs", "list", "--json"])
        XCTAssertEqual(try JSONReader.parse(Array(json.stdout.utf8))["subscriptions"]?.array.count, 2)
        XCTAssertTrue(json.stdout.hasPrefix(#"{"subscriptions":[{"name":"dukcapil-sink","owner":"Dinas Dukcapil","#), json.stdout)

        XCTAssertEqual(try run(["subs", "show", "portal-feed"]), .init(status: 0, stdout: """
            name:                portal-feed
            owner:               Dinas Dukcapil
            url:                 https://receiver.example/portal-feed
            topics:              city.population.person
            types:               every type
            ordering:            key
            max in flight:       16
            timeout:             10s
            retry delays:        0ms, 5s, 30s, 5m
            status:              paused (receiver maintenance)
            created:             2026-11-20T09:00:00+08:00
            breaker:             closed
            delivered:           1200
            failed:              0
            retried:             40
            in DLQ:              0
            lag:                 17
            oldest undelivered:  1h

            """, stderr: ""))
        XCTAssertEqual(try run(["subs", "show", "nobody"]),
                       .init(status: 1, stdout: "", stderr: "error: no subscription named \"nobody\" (HTTP 404)\n"))
    }

    func testAddSendsTheSettableFieldsAndPrintsTheSecretOnce() throws {
        let added = try run(["subs", "add", "dukcapil-sink-2", "--topic", "city.population.person", "--topic", "city.business",
                             "--url", "http://10.0.0.5/hooks", "--owner", "Dinas Dukcapil", "--ordering", "key", "--timeout", "5s",
                             "--retry-delays", "0,5s,1m", "--redact", "data.nik", "--max-in-flight", "4"])
        XCTAssertEqual(added.status, 0, "\(added)")
        XCTAssertTrue(added.stdout.hasPrefix("created subscription dukcapil-sink-2\nname:                dukcapil-sink-2\n"), added.stdout)
        XCTAssertTrue(added.stdout.hasSuffix("""
            signing secret (shown once; give it to the receiver to verify deliveries):
              whsec_c2VjcmV0LXNob3duLW9uY2U=

            """), added.stdout)
        let body = try XCTUnwrap(fake?.calls.last(where: { $0.method == "POST" })?.body)
        XCTAssertEqual(body.jsonText, #"{"name":"dukcapil-sink-2","topics":["city.population.person","city.business"],"url":"http://10.0.0.5/hooks","owner":"Dinas Dukcapil","ordering":"key","maxInFlight":4,"timeoutMs":5000,"retry":{"delaysMs":[0,5000,60000]},"fieldPolicy":{"allow":[],"redact":["data.nik"]}}"#)

        let again = try run(["subs", "add", "dukcapil-sink-2", "--topic", "t", "--url", "http://x/"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "error: a subscription named \"dukcapil-sink-2\" exists; pick another name or delete it first (HTTP 409)\n")
        XCTAssertEqual(try run(["subs", "add", "x", "--topic", "t", "--url", "http://x/", "--retry-delays", "5 minutes"]).status, 2)
    }

    func testPauseResumeDelete() throws {
        XCTAssertEqual(try run(["subs", "pause", "dukcapil-sink", "--reason", "receiver down"]).stdout,
                       "paused dukcapil-sink; `simpul subs resume dukcapil-sink` delivers what waited\n")
        XCTAssertEqual(fake?.calls.last?.path, "/v1/subscriptions/dukcapil-sink/pause")
        XCTAssertEqual(fake?.calls.last?.body?.jsonText, #"{"reason":"receiver down"}"#)
        XCTAssertTrue(try run(["subs", "show", "dukcapil-sink"]).stdout.contains("status:              paused (receiver down)"))
        let resumed = try run(["subs", "resume", "dukcapil-sink", "--json"])
        XCTAssertEqual(try JSONReader.parse(Array(resumed.stdout.utf8))["paused"], .bool(false))

        let unasked = try run(["subs", "delete", "portal-feed"])
        XCTAssertEqual(unasked.status, 2)
        XCTAssertEqual(unasked.stderr, "error: Delete subscription portal-feed? Its receiver gets nothing more. — no terminal to ask on; add --yes to go ahead\n")
        XCTAssertFalse(fake?.calls.contains { $0.method == "DELETE" } ?? true, "nothing is deleted without a yes")
        XCTAssertEqual(try run(["subs", "delete", "portal-feed", "--yes"]).stdout, "deleted portal-feed\n")
        XCTAssertEqual(try run(["subs", "list", "--json"]).stdout.contains("portal-feed"), false)
    }

    func testStatsShowsTheSubscriptions() throws {
        XCTAssertEqual(try run(["stats"]), .init(status: 0, stdout: """
            no records published since the server started

            no topics yet

            SUBSCRIPTION   DELIVERED  FAILED  RETRIED  DLQ  LAG  OLDEST  BREAKER  STATUS
            dukcapil-sink       1200       3       40    3    0       -  open     active
            portal-feed         1200       0       40    0   17      1h  closed   paused

            quarantine: 0 open

            """, stderr: ""))
    }
}
