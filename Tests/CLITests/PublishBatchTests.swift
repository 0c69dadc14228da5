import Foundation
import XCTest
import SimpulTestSupport

/// Goal (issue 6, `publish` of large files): a file cut into batches publishes exactly the
/// records of the whole file, and every refused record is reported with the file's own
/// record number and line (CSV with quoted line breaks, pretty-printed JSON arrays), the
/// same as when the file is sent whole; a batch the server refuses as too large is halved.
final class PublishBatchTests: XCTestCase {
    private var server: LiveServer?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    /// (record, line, field) of every refused record in a `publish --json` answer.
    private func refusals(_ result: LiveServer.Result) -> [String] {
        let records = result.stdout.jsonObject["records"] as? [[String: Any]] ?? []
        return records.filter { $0["ok"] as? Bool == false }.map {
            "\($0["record"] ?? "?")@\($0["line"] ?? "?"):\((($0["errors"] as? [[String: Any]])?.first?["field"] as? String) ?? "?")"
        }
    }

    func testCSVBatchesKeepTheFilesRecordNumbersAndLines() throws {
        let server = try LiveServer()
        self.server = server
        let file = server.directory.path + "/export.csv"
        // 25 people; 7, 14 and 21 refused; 3 and 12 have an address with a quoted line break.
        try PersonExport.csv(1...25, refused: [7, 14, 21], multiline: [3, 12]).write(toFile: file, atomically: true, encoding: .utf8)
        let batched = try server.run(["publish", "population", file, "--batch-records", "4", "--json"])
        XCTAssertEqual(batched.status, 1, "\(batched)")
        let document = batched.stdout.jsonObject
        XCTAssertEqual(document["batches"] as? Int, 7)
        XCTAssertEqual(document["published"] as? Int, 22)
        XCTAssertEqual(document["rejected"] as? Int, 3)
        // Header on line 1; person n starts on line n+1, plus one for each multi-line address before it.
        XCTAssertEqual(refusals(batched), ["7@9:address.rt", "14@17:address.rt", "21@24:address.rt"])
        XCTAssertEqual((document["records"] as? [[String: Any]])?.compactMap { $0["record"] as? Int }, Array(1...25))

        let whole = try server.run(["publish", "population", file, "--json"])
        XCTAssertEqual(whole.stdout.jsonObject["duplicates"] as? Int, 22, "the batches appended exactly the file's records")
        XCTAssertEqual(refusals(whole), refusals(batched))

        let plain = try server.run(["publish", "population", file, "--batch-records", "10"])
        XCTAssertEqual(plain.stderr, """
            publishing 10/25  published 0, duplicates 9, rejected 1, conflicts 0
            publishing 20/25  published 0, duplicates 18, rejected 2, conflicts 0
            publishing 25/25  published 0, duplicates 22, rejected 3, conflicts 0

            """, "plain progress lines when standard error is not a terminal")
    }

    func testJSONArrayBatchesAndTooLargeBatchesAreHalved() throws {
        // The server takes at most 5 records per request: batches of 12 get 413 and are halved.
        let server = try LiveServer(config: #"{"limits":{"recordsPerBatchMax":5}}"#)
        self.server = server
        let file = server.directory.path + "/export.json"
        let text = PersonExport.jsonArray(1...12, refused: [6, 11])
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try server.run(["publish", "population", file, "--batch-records", "12", "--json"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertEqual(result.stdout.jsonObject["published"] as? Int, 10)
        XCTAssertEqual(result.stdout.jsonObject["batches"] as? Int, 4, "12 → 6 → 3 records per batch")
        // Each element is 22 lines ({, 20 fields, }) after the opening bracket on line 1.
        XCTAssertEqual(refusals(result), ["6@\(2 + 5 * 22):address.rt", "11@\(2 + 10 * 22):address.rt"])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[2 + 5 * 22 - 1], "  {")
        XCTAssertTrue(lines[2 + 5 * 22].contains(PersonExport.nik(6)))
    }
}
