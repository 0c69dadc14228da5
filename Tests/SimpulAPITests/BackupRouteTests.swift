import Foundation
import SimpulServer
import SimpulTestSupport
import XCTest

@testable import SimpulAPI

/// Goal (issue 7, backup): `POST /v1/admin/backup` is for admins only, writes only inside the
/// backups folder whatever path it is sent, never into an existing backup, and answers with
/// what the backup holds.
final class BackupRouteTests: XCTestCase {
    func testBackupRouteRefusalsAndSummary() async throws {
        let api = try await LiveAPI()
        let backups = api.directory.path + "/backups"
        func post(_ body: String, token: String) throws -> (Int, String) {
            let response = try api.request("POST", "/v1/admin/backup", token: token, headers: [("Content-Type", "application/json")],
                                           body: Array(body.utf8))
            return (response.status, response.bodyText)
        }
        XCTAssertEqual(try post(#"{"to":"a"}"#, token: api.publisher).0, 403)
        XCTAssertEqual(try post("{", token: api.admin).0, 400)
        for outside in ["../escape", "/etc/simpul-backup", backups, backups + "/../x", "/", "a\u{7}b", String(repeating: "n", count: 300)] {
            let (status, text) = try post(#"{"to":\#(JSONText.string(outside))}"#, token: api.admin)
            XCTAssertEqual(status, 400, "\(outside.debugDescription): \(text)")
            XCTAssertTrue(text.contains("backups go under \(backups)"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: api.directory.path + "/escape"))

        let (status, text) = try post(#"{"to":"nightly"}"#, token: api.admin)
        XCTAssertEqual(status, 201, text)
        let summary = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["backup"] as? [String: Any])
        XCTAssertEqual(summary["to"] as? String, backups + "/nightly")
        let paths = (summary["partitions"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        XCTAssertTrue(paths.contains("journals/idempotency") && paths.contains("journals/subscriptions"), "\(paths)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: backups + "/nightly/backup.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: backups + "/nightly/data/tokens.json"))
        XCTAssertEqual(try post(#"{"to":"\#(backups)/nightly"}"#, token: api.admin).0, 409, "an existing backup is never overwritten")
        await api.stop()
    }
}
