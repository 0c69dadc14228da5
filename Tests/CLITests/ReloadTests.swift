import Foundation
import XCTest
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 7): SIGHUP reloads the config file's subscriptions, the adapters and the
/// token file without dropping the server; an invalid config is refused and the running
/// one stays.
final class ReloadTests: XCTestCase {
    private func config(_ subscriptions: [String]) -> String {
        let items = subscriptions.map { #"{"name":"\#($0)","topics":["city.population.person"],"url":"http://127.0.0.1:9/h"}"# }
        return #"{"subscriptions":[\#(items.joined(separator: ","))]}"#
    }

    private func subscriptionNames(_ server: LiveServer) throws -> [String] {
        let response = try ServeProcess.request(port: server.port, "GET", "/v1/subscriptions", token: try server.adminToken)
        let document = try JSONSerialization.jsonObject(with: Data(response?.body ?? [])) as? [String: Any]
        return ((document?["subscriptions"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
    }

    private func hangUpAndWait(_ server: LiveServer, forLine count: Int) throws -> String {
        kill(server.process.processIdentifier, SIGHUP)
        let log = server.directory.path + "/serve.log"
        let deadline = Date().addingTimeInterval(10)
        var text = ""
        repeat {
            usleep(50_000)
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        } while text.components(separatedBy: "SIGHUP: reloaded").count - 1 < count && Date() < deadline
        return text
    }

    func testGoodAndBadConfigOnSIGHUP() throws {
        let server = try LiveServer(config: config(["first"]), label: "reload")
        defer { server.stop() }
        XCTAssertEqual(try subscriptionNames(server), ["first"])

        try config(["first", "second"]).write(toFile: server.directory.path + "/simpul.json", atomically: true, encoding: .utf8)
        var log = try hangUpAndWait(server, forLine: 1)
        XCTAssertEqual(try subscriptionNames(server), ["first", "second"], log)

        try #"{"subscriptions":[{"name":"Bad Name"}]}"#.write(toFile: server.directory.path + "/simpul.json", atomically: true, encoding: .utf8)
        log = try hangUpAndWait(server, forLine: 2)
        XCTAssertTrue(log.contains("the config file was refused, the running configuration stays"), log)
        XCTAssertEqual(try subscriptionNames(server), ["first", "second"], "a bad config changes nothing")

        let created = try LiveServer.run(["tokens", "create", "--kind", "admin", "--name", "night-shift", "--data-dir",
                                          server.dataDirectory, "--json"], environment: ProcessInfo.processInfo.environment)
        let token = try XCTUnwrap(created.stdout.jsonObject["token"] as? String, created.description)
        XCTAssertEqual(try ServeProcess.request(port: server.port, "GET", "/v1/stats", token: token)?.status, 401,
                       "a token created offline is not known before the reload")
        _ = try hangUpAndWait(server, forLine: 3)
        XCTAssertEqual(try ServeProcess.request(port: server.port, "GET", "/v1/stats", token: token)?.status, 200,
                       "after SIGHUP it is")
        XCTAssertTrue(server.process.isRunning)
    }
}
