import Foundation
import XCTest
import SimpulTestSupport

/// Goal (issue 6): the exit codes documented in `simpul --help` — 2 for bad arguments
/// (ArgumentParser's own 64 is turned into 2), 3 when no server answers, 4 when the token is
/// refused or missing — each with a message that says what to do.
final class CLIExitCodeTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
    }

    private func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> LiveServer.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN"] = nil
        environment["SIMPUL_SERVER"] = nil
        environment["SIMPUL_TOKEN_FILE"] = "/nonexistent/simpul-tokens.json"
        for (key, value) in extra { environment[key] = value }
        return try LiveServer.run(arguments, environment: environment)
    }

    func testHelpDocumentsTheExitCodes() throws {
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Exit codes: 0 ok, 1 some operation failed, 2 usage error, 3 server unreachable,\n4 not authorised."), help.stdout)
    }

    func testCompletionScriptsCoverTheAdminCommands() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try run(["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, shell)
            for word in ["dlq", "replay", "dry-run", "quarantine", "tokens"] {
                XCTAssertTrue(script.stdout.contains(word), "\(shell) completion lacks \(word)")
            }
        }
        XCTAssertEqual(try run(["--generate-completion-script", "tcsh"]).status, 2)
    }

    func testBadArgumentsExitTwo() throws {
        let cases: [([String], String)] = [
            (["topics", "list", "--no-such-option"], "Error: Unknown option '--no-such-option'"),
            (["dlq", "list", "--since", "yesterday", "--token", "t"], "Error: \"yesterday\" is not a time; use ISO 8601"),
            (["dlq", "list", "--status", "abc"], "Error: --status must be an HTTP status (100…599) or none"),
            (["dlq", "replay"], "Error: give DLQ entry ids, or --subscription NAME"),
            (["dlq", "replay", "dlq_1", "--subscription", "s"], "Error: give either entry ids or a filter"),
            (["subs", "add", "Bad_Name", "--topic", "t", "--url", "http://x"], "Error: \"Bad_Name\" is not a subscription name"),
            (["topics", "list", "--server", "127.0.0.1:8080"], "Error: --server must be an http:// or https:// URL"),
            (["publish", "population", "x.csv", "--format", "pdf"], "Error: --format must be one of json, ndjson, csv, xml, geojson"),
            (["tokens", "create", "--kind", "root", "--name", "x"], "Error: --kind must be admin, publisher or consumer"),
            (["nonsense"], "Error: Unexpected argument 'nonsense'"),
        ]
        for (arguments, message) in cases {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
        }
    }

    func testServerDownExitsThree() throws {
        // A port that was just free: nothing listens there.
        let result = try run(["topics", "list", "--server", "http://127.0.0.1:9", "--token", "t"])
        XCTAssertEqual(result, .init(status: 3, stdout: "", stderr: """
            error: cannot reach http://127.0.0.1:9: connection refused; is `simpul serve` running? try --server URL or set SIMPUL_SERVER

            """))
        XCTAssertEqual(try run(["dlq", "list"], ["SIMPUL_SERVER": "http://127.0.0.1:9", "SIMPUL_TOKEN": "t"]).status, 3)
    }

    func testWrongOrMissingTokenExitsFour() throws {
        let server = try LiveServer()
        defer { server.stop() }
        let wrong = try server.run(["stats", "--token", "spl_adm_wrong"])
        XCTAssertEqual(wrong.status, 4, "\(wrong)")
        XCTAssertEqual(wrong.stderr, """
            error: \(server.url) refused the token: the bearer token is not valid (revoked, mistyped or from another server); \
            pass an admin token with --token or SIMPUL_TOKEN (`simpul tokens create --kind admin` makes one)

            """)
        let publisher = try XCTUnwrap((try String(contentsOfFile: server.tokenFile, encoding: .utf8).jsonObject["publishers"] as? [String: String])?["population"])
        let forbidden = try server.run(["quarantine", "list", "--token", publisher])
        XCTAssertEqual(forbidden, .init(status: 4, stdout: "", stderr: "error: \(server.url) refused: this route is for admins; use an admin token\n"))
        let none = try server.run(["stats"], environment: ["SIMPUL_TOKEN_FILE": server.directory.path + "/none.json"])
        XCTAssertEqual(none.status, 4)
        XCTAssertTrue(none.stderr.hasPrefix("error: no admin token: pass --token or set SIMPUL_TOKEN"), none.stderr)
        // With no --token and no SIMPUL_TOKEN, the admin token of the token file is used.
        XCTAssertEqual(try server.run(["stats", "--json"]).status, 0)
    }
}
