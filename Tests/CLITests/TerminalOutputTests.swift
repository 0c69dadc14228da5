import Foundation
import XCTest
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 6): colour only on a terminal and never with `NO_COLOR` (a pseudo-terminal
/// from util-linux `script` stands in for the admin's); `topics tail --follow` prints an
/// event published after it started, as it arrives (long poll), line by line into a pipe.
final class TerminalOutputTests: XCTestCase {
    private var server: LiveServer?

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Products.executable("simpul").path) else {
            throw XCTSkip("the simpul executable is not built; run `swift build --build-tests` first")
        }
        server = try LiveServer(label: "cli-terminal")
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func testColourOnlyOnATerminalAndNeverWithNoColour() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux `script` is missing") }
        let server = try XCTUnwrap(server)
        XCTAssertEqual(try server.run(["publish", "population", "adapters/population/samples/valid.csv"]).status, 0)
        let command = Products.executable("simpul").path + " topics list"
        let bold = "\u{1B}[1mTOPIC\u{1B}[0m"
        XCTAssertTrue(try server.run(["topics", "list"]).stdout.hasPrefix("TOPIC "), "a pipe gets no colour")
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = server.tokenFile
        environment["SIMPUL_SERVER"] = server.url
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = nil
        let terminal = try runCommand(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], environment: environment)
        XCTAssertTrue(terminal.standardOutput.contains(bold), terminal.standardOutput)
        environment["NO_COLOR"] = "1"
        let plain = try runCommand(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], environment: environment)
        XCTAssertTrue(plain.standardOutput.contains("TOPIC "), plain.standardOutput)
        XCTAssertFalse(plain.standardOutput.contains("\u{1B}["), "NO_COLOR: \(plain.standardOutput)")
    }

    func testTailFollowPrintsNewEventsAsTheyArrive() throws {
        let server = try XCTUnwrap(server)
        XCTAssertEqual(try server.run(["publish", "eoffice", "adapters/eoffice/samples/valid-single.xml"]).status, 0)
        let output = server.directory.path + "/tail.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["topics", "tail", "city.population.person", "--follow", "--json", "--server", server.url, "--token", try server.adminToken]
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle.nullDevice
        // The topic does not exist yet: tail needs it, so publish one person first.
        XCTAssertEqual(try server.run(["publish", "population", "adapters/population/samples/valid.json"]).status, 0)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
        func lines() -> [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let deadline = Date().addingTimeInterval(20)
        while lines().count < 2 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(lines().count, 2, "the two events already there")
        XCTAssertEqual(try server.run(["publish", "population", "adapters/population/samples/valid.csv"]).status, 0)
        while lines().count < 4 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(lines().map { $0.jsonObject["offset"] as? Int }, [0, 1, 2, 3], "the new events arrive while tail waits: \(lines())")
        XCTAssertTrue(process.isRunning, "--follow keeps waiting")
        // The server would wait its 10 s grace period for the pending long poll.
        server.stop(signal: SIGKILL)
    }
}
