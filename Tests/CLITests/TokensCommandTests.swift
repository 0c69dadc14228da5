import Foundation
import XCTest
import SimpulTestSupport

/// Goal (issue 6, `tokens create|list|revoke` on a data directory): a token created offline
/// is printed once, listed without its secret, accepted by the server after a restart, and
/// refused (exit 4) once revoked.
final class TokensCommandTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
    }

    func testCreateListRevokeOfflineThenTheServerHonoursThem() throws {
        var server = try LiveServer(label: "cli-tokens")
        let directory = server.directory
        let data = server.dataDirectory
        let created = try server.run(["tokens", "create", "--kind", "admin", "--name", "ops-desk", "--data-dir", data, "--json"])
        XCTAssertEqual(created.status, 0, "\(created)")
        let token = try XCTUnwrap(created.stdout.jsonObject["token"] as? String)
        let id = try XCTUnwrap(created.stdout.jsonObject["id"] as? String)
        XCTAssertTrue(token.hasPrefix("spl_adm_"))
        let publisher = try server.run(["tokens", "create", "--kind", "publisher", "--name", "siak", "--source", "population", "--data-dir", data])
        XCTAssertEqual(publisher.status, 0)
        XCTAssertEqual(publisher.stdout.replacing(pattern: "tok_[0-9a-f]{12}", with: "tok_ID").replacing(pattern: "spl_pub_[0-9a-f]{48}", with: "TOKEN"), """
            created publisher token tok_ID for siak; it is shown only now:
              TOKEN
            send SIGHUP to `simpul serve` (`systemctl reload simpul`) or restart it for the token to be accepted

            """)

        let list = try server.run(["tokens", "list", "--data-dir", data])
        XCTAssertFalse(list.stdout.contains(token), "a token is never listed")
        XCTAssertEqual(list.stdout.normalised, """
            ID                KIND       NAME                   MAY                  CREATED                    STATUS
            tok_############  admin      admin                  everything           YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  publisher  publisher-eoffice      publish eoffice      YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  publisher  publisher-population   publish population   YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  publisher  publisher-simtaru      publish simtaru      YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  publisher  publisher-siperietnik  publish siperietnik  YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  admin      ops-desk               everything           YYYY-MM-DDThh:mm:ss+08:00  active
            tok_############  publisher  siak                   publish population   YYYY-MM-DDThh:mm:ss+08:00  active

            """)

        // The running server read its tokens at start: restart it to honour the new one.
        server.process.terminate()
        server.process.waitUntilExit()
        server = try LiveServer(reusing: directory)
        defer { server.stop() }
        XCTAssertEqual(try server.run(["stats", "--token", token, "--json"]).status, 0)

        XCTAssertEqual(try server.run(["tokens", "revoke", id, "--data-dir", data]).stdout,
                       "revoked \(id)\nsend SIGHUP to `simpul serve` (`systemctl reload simpul`) or restart it for the revocation to take effect\n")
        let again = try server.run(["tokens", "revoke", id, "--data-dir", data])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("no active token with id \(id)"))
        let listed = try server.run(["tokens", "list", "--data-dir", data, "--json"]).stdout.jsonObject["tokens"] as? [[String: Any]]
        XCTAssertNotNil(listed?.first { $0["id"] as? String == id }?["revokedAt"] as? String)
        server.process.terminate()
        server.process.waitUntilExit()
        server = try LiveServer(reusing: directory)
        XCTAssertEqual(try server.run(["stats", "--token", token]).status, 4)

        XCTAssertEqual(try server.run(["tokens", "list", "--data-dir", directory.path + "/missing"]).status, 2)
        XCTAssertEqual(try server.run(["tokens", "create", "--kind", "publisher", "--name", "x", "--data-dir", data]).status, 2,
                       "a publisher token needs --source")
    }
}
