import Foundation
import XCTest
import SimpulTestSupport

/// Goal (issue 6): against a live `simpul serve`, the admin CLI's publish, topics, stats
/// and quarantine commands print exactly the documented tables (ids and times normalised),
/// their `--json` is one document with the API's field names, and exit codes follow
/// `simpul --help` (1 when records were refused or a retry is still refused).
final class AdminCLITests: XCTestCase {
    private var server: LiveServer?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
        server = try LiveServer()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func testPublishTopicsStatsAndQuarantineAgainstALiveServer() throws {
        let server = try XCTUnwrap(server)
        let valid = try server.run(["publish", "population", "adapters/population/samples/valid.csv"])
        XCTAssertEqual(valid, .init(status: 0, stdout: """
            adapters/population/samples/valid.csv: 4 records in 1 batch: published 4, duplicates 0, rejected 0, conflicts 0

            """, stderr: ""))

        let refused = try server.run(["publish", "population", "adapters/population/samples/invalid.csv"])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        let table = refused.stdout.normalised
        XCTAssertEqual(table.split(separator: "\n").first, "RECORD  LINE  QUARANTINE ID       FIELD             REASON")
        XCTAssertTrue(table.contains("""
                 3     4  q_################  nik               NIK '647102071185002' must be exactly 16 digits (PP KK CC DDMMYY SSSS)
                 3     4  q_################  familyCardNumber  family card number (No. KK) '647102020220' must be exactly 16 digits

            """), table)
        XCTAssertTrue(table.contains("    10    11  q_################  address.rt        RT/RW '0A5' must be 1 to 3 digits, e.g. 005\n"), table)
        XCTAssertTrue(table.hasSuffix("""
            adapters/population/samples/invalid.csv: 10 records in 1 batch: published 0, duplicates 1, rejected 9, conflicts 0
            refused records are in quarantine: `simpul quarantine show ID`, fix the adapter or the data, then `simpul quarantine retry ID`

            """), table)

        XCTAssertEqual(try server.run(["topics", "list"]), .init(status: 0, stdout: """
            TOPIC                   PARTITIONS  EVENTS  FIRST  NEXT     SIZE
            city.population.person           1       4      0     4  3.8 KiB

            """, stderr: ""))
        let topicsJSON = try server.run(["topics", "list", "--json"])
        let topic = try XCTUnwrap((topicsJSON.stdout.jsonObject["topics"] as? [[String: Any]])?.first)
        XCTAssertEqual(topic["name"] as? String, "city.population.person")
        XCTAssertEqual((topic["partitions"] as? [[String: Any]])?.first?["endOffset"] as? Int, 4)

        // Times in WITA (+08:00) by default, UTC with --utc.
        let tail = try server.run(["topics", "tail", "city.population.person", "-n", "2"])
        XCTAssertEqual(tail.status, 0)
        XCTAssertEqual(tail.stdout.normalised.replacing(pattern: "  [0-9a-f]{64}\n", with: "  ID\n"), """
            2  YYYY-MM-DDThh:mm:ss+08:00  city.population.person.upserted  person/6471032512010003  ID
            3  YYYY-MM-DDThh:mm:ss+08:00  city.population.person.upserted  person/6474014101750004  ID

            """)
        XCTAssertTrue(try server.run(["topics", "tail", "city.population.person", "-n", "1", "--utc"]).stdout.contains("Z  city.population"))
        let tailJSON = try server.run(["topics", "tail", "city.population.person", "--from", "1", "--json"])
        XCTAssertEqual(tailJSON.stdout.split(separator: "\n").map { String($0).jsonObject["offset"] as? Int }, [1, 2, 3])
        let since = try server.run(["topics", "tail", "city.population.person", "--since", "1h"])
        XCTAssertEqual(since.stdout.split(separator: "\n").count, 4, "every event of the last hour: \(since)")
        XCTAssertEqual(try server.run(["topics", "tail", "city.population.person", "--since", "2999-01-01"]).stdout, "")

        let stats = try server.run(["stats"])
        XCTAssertEqual(stats.stdout.normalised, """
            SOURCE      PUBLISHED  REJECTED  DUPLICATES    BYTES  LAST PUBLISHED
            population          4         9           1  3.0 KiB  YYYY-MM-DDThh:mm:ss+08:00

            TOPIC                   PARTITION  LAST OFFSET     SIZE
            city.population.person          0            3  3.8 KiB

            no subscriptions

            quarantine: 9 open

            """)
        XCTAssertEqual(try server.run(["stats", "--json"]).stdout.jsonObject["quarantineOpen"] as? Int, 9)

        let list = try server.run(["quarantine", "list", "--json"])
        let entries = try XCTUnwrap(list.stdout.jsonObject["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 9)
        let newest = try XCTUnwrap(entries.first?["id"] as? String)
        let listTable = try server.run(["quarantine", "list"]).stdout.normalised
        XCTAssertTrue(listTable.hasPrefix("""
            ID                  SOURCE      RECEIVED                   RECORD  LINE  STATUS  FIRST ERROR
            q_################  population  YYYY-MM-DDThh:mm:ss+08:00      10    11  open    address.rt: RT/RW '0A5' must be 1 to 3 digits, e.g. 005
            q_################  population  YYYY-MM-DDThh:mm:ss+08:00       9    10  open    fullName: fullName is required but missing or empty

            """), listTable)
        XCTAssertTrue(listTable.hasSuffix("9 open\n"))

        let show = try server.run(["quarantine", "show", newest])
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.hasPrefix("id:         \(newest)\nsource:     population\npublisher:  admin\n"), show.stdout)
        XCTAssertTrue(show.stdout.contains("address.rt  rtrw.format  RT/RW '0A5' must be 1 to 3 digits, e.g. 005"))
        XCTAssertTrue(show.stdout.contains("YUSUF MAULANA"), "the raw input is shown")
        XCTAssertEqual(try server.run(["quarantine", "show", newest, "--json"]).stdout.jsonObject["id"] as? String, newest)

        let retry = try server.run(["quarantine", "retry", newest])
        XCTAssertEqual(retry, .init(status: 1, stdout: "\(newest): still refused: address.rt: RT/RW '0A5' must be 1 to 3 digits, e.g. 005\n", stderr: ""))
        let missing = try server.run(["quarantine", "show", "q_nothing"])
        XCTAssertEqual(missing, .init(status: 1, stdout: "", stderr: "error: no quarantined record with id \"q_nothing\" (HTTP 404)\n"))
    }
}
