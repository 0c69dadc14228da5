import Foundation
import XCTest
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 6, `dlq list|show|replay`): against the delivery contract (an in-memory
/// fake until the server side lands), the list is a table newest first with times in the
/// local zone and a paging hint, filters become the documented query (times as RFC 3339
/// UTC), `show` lists every attempt, and a filtered replay confirms above 100 events
/// (exit 2 with no terminal), replays by ids in chunks of 500, reports replayed/skipped/
/// failed, and `--dry-run` changes nothing.
final class DLQCommandTests: XCTestCase {
    private var fake: ContractFake?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
    }

    override func tearDown() {
        fake?.stop()
        fake = nil
    }

    private func start(_ count: Int) throws -> ContractFake {
        let started = try ContractFake(dlqCount: count)
        fake = started
        return started
    }

    private func run(_ arguments: [String]) throws -> LiveServer.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = "/nonexistent/tokens.json"
        environment["SIMPUL_SERVER"] = fake?.url
        environment["SIMPUL_TOKEN"] = ContractFake.token
        environment["TZ"] = "Asia/Makassar"
        return try LiveServer.run(arguments, environment: environment)
    }

    func testListShowsAPageWithTimesInTheLocalZone() throws {
        let fake = try start(3)
        XCTAssertEqual(try run(["dlq", "list"]), .init(status: 0, stdout: """
            ID         SUBSCRIPTION   DEAD SINCE                 TYPE                             ATTEMPTS  LAST  STATE  ERROR
            dlq_00001  dukcapil-sink  2026-11-22T11:04:05+08:00  city.population.person.upserted        10   500  dead   HTTP 500 from the receiver
            dlq_00002  dukcapil-sink  2026-11-22T11:03:05+08:00  city.population.person.upserted        10   500  dead   HTTP 500 from the receiver
            dlq_00003  dukcapil-sink  2026-11-22T11:02:05+08:00  city.population.person.upserted        10     -  dead   connection refused
            3 entries

            """, stderr: ""))
        XCTAssertTrue(try run(["dlq", "list", "--utc"]).stdout.contains("  2026-11-22T03:04:05Z  "))
        let json = try JSONReader.parse(Array(try run(["dlq", "list", "--json"]).stdout.utf8))
        XCTAssertEqual(json["total"], .number("3"))
        XCTAssertEqual(json["next"], .null)
        XCTAssertEqual(json["entries"]?.array.first?["id"], .string("dlq_00001"))

        _ = try run(["dlq", "list", "--subscription", "dukcapil-sink", "--since", "2026-11-22T11:00:00+08:00", "--until", "2026-11-23",
                     "--status", "none", "--limit", "10"])
        let query = try XCTUnwrap(fake.calls.last?.query)
        XCTAssertEqual(query, ["subscription": "dukcapil-sink", "since": "2026-11-22T03:00:00.000Z", "until": "2026-11-22T16:00:00.000Z",
                               "status": "none", "limit": "10"])
        XCTAssertEqual(try run(["dlq", "list", "--status", "none"]).stdout.split(separator: "\n").count, 3, "one entry and header and count")
    }

    func testPagingAndAll() throws {
        _ = try start(2500)
        let first = try run(["dlq", "list", "--limit", "2"])
        XCTAssertTrue(first.stdout.hasSuffix("2 of 2,500 shown; more with --after dlq_00002, or --all\n"), first.stdout)
        XCTAssertTrue(try run(["dlq", "list", "--limit", "1", "--after", "dlq_00002"]).stdout.contains("dlq_00003"))
        let all = try JSONReader.parse(Array(try run(["dlq", "list", "--all", "--json"]).stdout.utf8))
        XCTAssertEqual(all["entries"]?.array.count, 2500)
        XCTAssertEqual(fake?.calls.filter { $0.path == "/v1/dlq" }.suffix(3).map { $0.query["limit"] ?? "" }, ["1000", "1000", "1000"])
    }

    func testShowListsEveryAttempt() throws {
        _ = try start(3)
        XCTAssertEqual(try run(["dlq", "show", "dlq_00002"]), .init(status: 0, stdout: """
            id:            dlq_00002
            subscription:  dukcapil-sink
            event:         evt-00002
            type:          city.population.person.upserted
            topic:         city.population.person partition 0 offset 2
            dead since:    2026-11-22T11:03:05+08:00
            reason:        attempts exhausted
            state:         dead
            replays:       0

            ATTEMPT  TIME                       STATUS  DURATION  ERROR
                  1  2026-11-22T11:01:00+08:00       -       10s  timeout after 10000 ms
                  2  2026-11-22T11:02:00+08:00     500      12ms  -

            event:
            {"specversion":"1.0","id":"evt-00002","type":"city.population.person.upserted","data":{"kota":"Balikpapan"}}

            """, stderr: ""))
        let missing = try run(["dlq", "show", "dlq_nope"])
        XCTAssertEqual(missing, .init(status: 1, stdout: "", stderr: "error: no DLQ entry with id \"dlq_nope\" (HTTP 404)\n"))
    }

    func testReplayByIdsReportsEachResult() throws {
        let fake = try start(3)
        let result = try run(["dlq", "replay", "dlq_00001", "dlq_00002", "dlq_missing"])
        XCTAssertEqual(result, .init(status: 1, stdout: """
            ID           RESULT  REASON
            dlq_missing  failed  no DLQ entry with id "dlq_missing"
            replayed 2, skipped 0, failed 1

            """, stderr: ""))
        let again = try run(["dlq", "replay", "dlq_00001", "--json"])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.stdout, #"{"dryRun":false,"matched":1,"replayed":0,"skipped":1,"failed":0,"notReplayed":[{"id":"dlq_00001","result":"skipped","reason":"already replaying or delivered; --force replays it again"}]}"# + "\n")
        XCTAssertEqual(try run(["dlq", "replay", "dlq_00001", "--force"]).stdout, "replayed 1, skipped 0, failed 0\n")
        XCTAssertEqual(fake.calls.last?.body?["force"], .bool(true))
    }

    func testFilteredReplayConfirmsChunksAndDryRunChangesNothing() throws {
        let fake = try start(1200)
        let refused = try run(["dlq", "replay", "--subscription", "dukcapil-sink"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.stderr.split(separator: "\n").last,
                       "error: Replay 1,200 dead-lettered events of subscription dukcapil-sink? — no terminal to ask on; add --yes to go ahead")
        XCTAssertFalse(fake.calls.contains { $0.path == "/v1/dlq/replay" }, "nothing replayed without confirmation")

        let dry = try run(["dlq", "replay", "--subscription", "dukcapil-sink", "--dry-run"])
        XCTAssertEqual(dry.status, 0)
        XCTAssertEqual(dry.stdout, "dry run, nothing changed: would replay 1,200, skipped 0, failed 0\n")
        XCTAssertEqual(Set(fake.dlqStates), ["dead"], "a dry run changes nothing")
        XCTAssertTrue(fake.calls.filter { $0.path == "/v1/dlq/replay" }.allSatisfy { $0.body?["dryRun"] == .bool(true) })

        let narrowed = try run(["dlq", "replay", "--subscription", "dukcapil-sink", "--status", "none", "--since", "2026-11-22T10:00:00+08:00"])
        XCTAssertEqual(narrowed.stdout, "replayed 21, skipped 0, failed 0\n", "every third entry of the last hour got no answer")

        let callsBefore = fake.calls.count
        let replayed = try run(["dlq", "replay", "--subscription", "dukcapil-sink", "--yes"])
        XCTAssertEqual(replayed, .init(status: 0, stdout: "replayed 1,179, skipped 0, failed 0\n", stderr: """
            finding 1,000/1,179
            finding 1,179/1,179
            replaying 500/1,179  replayed 500, skipped 0, failed 0
            replaying 1,000/1,179  replayed 1,000, skipped 0, failed 0
            replaying 1,179/1,179  replayed 1,179, skipped 0, failed 0

            """))
        let chunks = fake.calls.dropFirst(callsBefore).filter { $0.path == "/v1/dlq/replay" }.map { $0.body?["ids"]?.array.count ?? 0 }
        XCTAssertEqual(chunks, [500, 500, 179])
        XCTAssertEqual(Set(fake.dlqStates), ["replaying"])
    }

    /// On a terminal (a `script` pseudo-terminal): the question is asked and answered, and
    /// the progress bar is redrawn in place with its counts.
    func testOnATerminalReplayAsksThenDrawsAProgressBar() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux `script` is missing") }
        let fake = try start(1200)
        let command = Products.executable("simpul").path + " dlq replay --subscription dukcapil-sink"
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = "/nonexistent/tokens.json"
        environment["SIMPUL_SERVER"] = fake.url
        environment["SIMPUL_TOKEN"] = ContractFake.token
        environment["TERM"] = "xterm"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Answer once the question is on the screen, then read to the end.
        var screen = Data()
        let deadline = Date().addingTimeInterval(20)
        while !String(decoding: screen, as: UTF8.self).contains("[y/N]") && Date() < deadline {
            screen += output.fileHandleForReading.availableData
        }
        input.fileHandleForWriting.write(Data("y\n".utf8))
        screen += output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: screen, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("Replay 1,200 dead-lettered events of subscription dukcapil-sink? [y/N] "), text)
        XCTAssertTrue(text.contains("\r\u{1B}[Kreplaying [############------------------] 500/1,200  replayed 500, skipped 0, failed 0"), text)
        XCTAssertTrue(text.contains("\r\u{1B}[Kreplaying [##############################] 1,200/1,200  replayed 1,200, skipped 0, failed 0"), text)
        XCTAssertTrue(text.contains("replayed 1,200, skipped 0, failed 0"), text)
        XCTAssertEqual(Set(fake.dlqStates), ["replaying"])
    }
}
