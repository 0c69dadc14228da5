import Foundation
import XCTest
import SimpulMapping
import SimpulTestSupport

/// Goal (issue 6 tests): against a live `simpul serve` and a receiver that answers 500,
/// `subs`, `dlq` and `stats` print the documented tables and `--json` for the failures it
/// causes; once the receiver is back, a bulk replay of 1,000 DLQ entries ends with every
/// event delivered and the DLQ empty, and `--dry-run` before it changes nothing.
final class DeliveryCLITests: XCTestCase {
    /// One attempt per event, and a breaker that stays closed through 1,000 failures.
    static let config = #"{"delivery":{"allowPrivateNetworks":true,"breakerThreshold":1000,"breakerCooldownSeconds":1,"breakerCooldownMaxSeconds":1}}"#

    private var server: LiveServer?
    private var sink: FlakySink?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
        server = try LiveServer(config: Self.config, label: "cli-delivery")
        sink = try FlakySink()
    }

    override func tearDown() {
        server?.stop()
        sink?.stop()
        server = nil
        sink = nil
    }

    private func json(_ result: LiveServer.Result) throws -> JSONValue {
        try JSONReader.parse(Array(result.stdout.utf8))
    }

    /// Polls `dlq list --json` until its total is `count` (at most `seconds`).
    private func waitForDLQ(_ server: LiveServer, total count: Int, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = -1
        while Date() < deadline {
            last = Int(try json(try server.run(["dlq", "list", "--json", "--limit", "1"]))["total"]?.int ?? -1)
            if last == count { return }
            usleep(100_000)
        }
        XCTFail("the DLQ holds \(last) entries after \(seconds) s, not \(count)")
    }

    private func addSubscription(_ server: LiveServer, sink: FlakySink) throws {
        let added = try server.run(["subs", "add", "dukcapil-sink", "--topic", "city.population.person", "--url", sink.url,
                                    "--owner", "Dinas Dukcapil", "--retry-delays", "0", "--timeout", "2s"])
        XCTAssertEqual(added.status, 0, "\(added)")
        XCTAssertTrue(added.stdout.contains("signing secret (shown once; give it to the receiver to verify deliveries):\n  whsec_"), added.stdout)
    }

    func testTablesAndJSONForAReceiverAnswering500() throws {
        let server = try XCTUnwrap(server), sink = try XCTUnwrap(sink)
        try addSubscription(server, sink: sink)
        XCTAssertEqual(try server.run(["publish", "population", "adapters/population/samples/valid.csv"]).status, 0)
        try waitForDLQ(server, total: 4)

        let subs = try server.run(["subs", "list"])
        XCTAssertEqual(subs.stdout.replacing(pattern: "127\\.0\\.0\\.1:[0-9]+", with: "127.0.0.1:PORT")
            .replacing(pattern: "  +[0-9]+(ms|s|m)\n", with: "  AGE\n"), """
            NAME           TOPICS                  URL                          STATUS  BREAKER  DELIVERED  FAILED  DLQ  LAG  OLDEST
            dukcapil-sink  city.population.person  http://127.0.0.1:PORT/hook  active  closed           0       4    4    0       -

            """.replacing(pattern: "PORT/hook  active", with: "PORT/hook  active"), subs.stdout)
        let subsJSON = try json(try server.run(["subs", "show", "dukcapil-sink", "--json"]))
        XCTAssertEqual(subsJSON["state"]?["dlq"]?.int, 4)
        XCTAssertTrue(try server.run(["subs", "show", "dukcapil-sink"]).stdout.contains("in DLQ:              4\n"))

        let list = try server.run(["dlq", "list"])
        let rows = list.stdout.replacing(pattern: "dlq_[0-9a-f]{20}", with: "dlq_####################").normalised.split(separator: "\n")
        XCTAssertEqual(rows.first, "ID                        SUBSCRIPTION   DEAD SINCE                 TYPE                             ATTEMPTS  LAST  STATE  ERROR")
        XCTAssertEqual(rows.count, 6, list.stdout)
        XCTAssertEqual(Set(rows.dropFirst().dropLast()).count, 1, "four identical rows once ids and times are hidden: \(list.stdout)")
        XCTAssertTrue(rows[1].hasPrefix("dlq_####################  dukcapil-sink  YYYY-MM-DDThh:mm:ss+08:00  city.population.person.upserted         1   500  dead   "), String(rows[1]))
        XCTAssertEqual(rows.last, "4 entries")

        let page = try json(try server.run(["dlq", "list", "--json", "--status", "500"]))
        XCTAssertEqual(page["total"]?.int, 4)
        let id = try XCTUnwrap(page["entries"]?.array.first?["id"]?.stringValue)
        XCTAssertEqual(try json(try server.run(["dlq", "list", "--json", "--status", "none"]))["total"]?.int, 0)
        XCTAssertEqual(try json(try server.run(["dlq", "list", "--json", "--since", "2999-01-01"]))["total"]?.int, 0)

        let show = try server.run(["dlq", "show", id])
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.hasPrefix("id:            \(id)\nsubscription:  dukcapil-sink\n"), show.stdout)
        XCTAssertTrue(show.stdout.normalised.contains("ATTEMPT  TIME                       STATUS  DURATION  ERROR\n      1  YYYY-MM-DDThh:mm:ss+08:00     500"), show.stdout)
        let detail = try json(try server.run(["dlq", "show", id, "--json"]))
        XCTAssertEqual(detail["attempts"]?.array.count, 1)
        XCTAssertEqual(detail["event"]?["specversion"], .string("1.0"))

        let stats = try server.run(["stats"]).stdout
        XCTAssertTrue(stats.contains("""
            SUBSCRIPTION   DELIVERED  FAILED  RETRIED  DLQ  LAG  OLDEST  BREAKER  STATUS
            dukcapil-sink          0       4        0    4    0       -  closed   active
            """), stats)

        sink.status = 200
        XCTAssertEqual(try server.run(["dlq", "replay", id]).stdout, "replayed 1, skipped 0, failed 0\n")
        try waitForDLQ(server, total: 3)
        XCTAssertEqual(try server.run(["dlq", "replay", id]).stdout, """
            ID                        RESULT   REASON
            \(id)  skipped  \(try json(try server.run(["dlq", "replay", id, "--json", "--dry-run"]))["notReplayed"]?.array.first?["reason"]?.stringValue ?? "?")
            replayed 0, skipped 1, failed 0

            """)

        let paused = try server.run(["subs", "pause", "dukcapil-sink", "--reason", "receiver maintenance"])
        XCTAssertEqual(paused.status, 0, "\(paused)")
        XCTAssertTrue(try server.run(["subs", "show", "dukcapil-sink"]).stdout.contains("status:              paused (receiver maintenance)"))
        XCTAssertEqual(try server.run(["subs", "resume", "dukcapil-sink"]).stdout, "resumed dukcapil-sink\n")
        XCTAssertEqual(try server.run(["subs", "delete", "dukcapil-sink", "--yes"]).stdout, "deleted dukcapil-sink\n")
        XCTAssertEqual(try server.run(["subs", "list"]).stdout, "no subscriptions: add one with `simpul subs add NAME --topic TOPIC --url URL`\n")
    }

    func testBulkReplayOfAThousandEntriesEmptiesTheDLQ() throws {
        let server = try XCTUnwrap(server), sink = try XCTUnwrap(sink)
        try addSubscription(server, sink: sink)
        let file = server.directory.path + "/thousand.csv"
        try PersonExport.csv(1...1000).write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try server.run(["publish", "population", file]).status, 0)
        try waitForDLQ(server, total: 1000)
        sink.status = 200
        let attemptsBefore = sink.attemptCount

        let dry = try server.run(["dlq", "replay", "--subscription", "dukcapil-sink", "--dry-run"])
        XCTAssertEqual(dry.stdout, "dry run, nothing changed: would replay 1,000, skipped 0, failed 0\n", "\(dry)")
        let states = try json(try server.run(["dlq", "list", "--all", "--json"]))["entries"]?.array.compactMap { $0["state"]?.stringValue }
        XCTAssertEqual(states?.count, 1000)
        XCTAssertEqual(Set(states ?? []), ["dead"], "a dry run changes nothing")
        usleep(300_000)
        XCTAssertEqual(sink.attemptCount, attemptsBefore, "a dry run sends nothing")

        let started = Date()
        let replay = try server.run(["dlq", "replay", "--subscription", "dukcapil-sink", "--yes"])
        XCTAssertEqual(replay.status, 0, "\(replay)")
        XCTAssertEqual(replay.stdout, "replayed 1,000, skipped 0, failed 0\n")
        XCTAssertTrue(replay.stderr.hasSuffix("replaying 1,000/1,000  replayed 1,000, skipped 0, failed 0\n"), replay.stderr)
        try waitForDLQ(server, total: 0)
        XCTAssertEqual(sink.acceptedIDs.count, 1000, "every event delivered once the receiver was back")
        print("replayed 1,000 DLQ entries and emptied the DLQ in \(Date().timeIntervalSince(started)) s")
        let delivered = try json(try server.run(["dlq", "list", "--state", "delivered", "--json", "--limit", "1"]))
        XCTAssertEqual(delivered["total"]?.int, 1000)
    }
}
