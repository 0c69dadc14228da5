import Foundation
import XCTest
@testable import SimpulAPI
import SimpulBus
import SimpulTestSupport

/// Goal (issue 7): the admin's status page at `/` shows sources, topics, subscriptions and
/// the last refusals, behind a login with the admin token; a real browser (headless
/// Chromium) logs in and sees it.
final class StatusPageTests: XCTestCase {
    func testLoginThenThePageShowsWhatHappened() async throws {
        let api = try await LiveAPI()
        _ = try api.request("POST", "/v1/sources/population/records", token: api.publisher,
                            headers: [("Content-Type", "text/csv")], body: try RepositoryPaths.sample("population", "invalid.csv"))
        _ = try api.request("POST", "/v1/subscriptions", token: api.admin, body: Array(
            #"{"name":"dukcapil-sink","topics":["city.population.person"],"url":"http://127.0.0.1:9/h"}"#.utf8))

        let anonymous = try api.request("GET", "/")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertTrue(anonymous.bodyText.contains("name=\"token\""), "the login form")
        let wrong = try api.request("POST", "/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                    body: Array("token=\(api.publisher)".utf8))
        XCTAssertEqual(wrong.status, 401, "a publisher token does not open the status page")
        let login = try api.request("POST", "/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                    body: Array("token=\(api.admin)".utf8))
        XCTAssertEqual(login.status, 303)
        let cookie = try XCTUnwrap(login.headers.first { $0.0.lowercased() == "set-cookie" }?.1)
        XCTAssertFalse(cookie.contains(api.admin), "the cookie is a session id, not the token")
        let session = String(cookie.split(separator: ";")[0])
        let page = try api.request("GET", "/", headers: [("Cookie", session)])
        XCTAssertEqual(page.status, 200)
        for expected in ["population", "city.population.person", "dukcapil-sink", "Last refused records", "<table>"] {
            XCTAssertTrue(page.bodyText.contains(expected), "the page shows \(expected)")
        }
        XCTAssertEqual(try api.request("POST", "/logout", headers: [("Cookie", session)]).status, 303)
        XCTAssertEqual(try api.request("GET", "/", headers: [("Cookie", session)]).status, 401, "logged out")

        // Revoking the token ends the sessions it opened.
        let second = try api.bus.tokens.create(kind: .admin, name: "night-shift")
        let relogin = try api.request("POST", "/login", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: Array("token=\(second.token)".utf8))
        let secondSession = String((relogin.headers.first { $0.0.lowercased() == "set-cookie" }?.1 ?? "").split(separator: ";")[0])
        XCTAssertEqual(try api.request("GET", "/", headers: [("Cookie", secondSession)]).status, 200)
        XCTAssertTrue(try api.bus.tokens.revoke(id: second.record.id))
        XCTAssertEqual(try api.request("GET", "/", headers: [("Cookie", secondSession)]).status, 401, "revoked token, session over")
        await api.stop()
    }

    func testHeadlessChromiumLogsInAndSeesTheStatus() async throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("Chromium is not installed (make test installs the Debian package chromium)")
        }
        let api = try await LiveAPI()
        _ = try api.request("POST", "/v1/sources/population/records", token: api.publisher,
                            headers: [("Content-Type", "text/csv")], body: try RepositoryPaths.sample("population", "valid.csv"))
        // A page that logs in the way an admin does: the form, posted with the token.
        let start = api.directory.path + "/login.html"
        try """
            <!doctype html><form id="f" method="post" action="http://127.0.0.1:\(api.port)/login">
            <input name="token" value="\(api.admin)"></form><script>document.getElementById('f').submit()</script>
            """.write(toFile: start, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(api.directory.path)/chromium",
                             "--virtual-time-budget=5000", "--dump-dom", "file://\(start)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertTrue(dom.contains("Sources"), "Chromium shows the status page: \(dom.prefix(500))")
        XCTAssertTrue(dom.contains("city.population.person"))
        XCTAssertTrue(dom.contains("Log out"))
        await api.stop()
    }
}
