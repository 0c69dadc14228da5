import Foundation
import SimpulTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 7, structured logs): `simpul serve --log-format json` writes nothing but JSON
/// objects on standard output (Python's strict parser reads every line), tells start, reload
/// and stop as events, and never writes the tokens it creates on first start.
final class ServeJSONLogTests: XCTestCase {
    func testJSONLogIsOneObjectPerLineAndHoldsNoToken() throws {
        let directory = try TemporaryDirectory("serve-json")
        defer { directory.remove() }
        let port = 23_000 + Int.random(in: 0..<2000)
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["serve", "--data-dir", directory.path + "/data", "--listen", "127.0.0.1:\(port)",
                             "--adapters-dir", RepositoryPaths.adapters, "--log-format", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = directory.path + "/tokens.json"
        process.environment = environment
        let output = directory.path + "/stdout.jsonl"
        XCTAssertTrue(FileManager.default.createFile(atPath: output, contents: nil))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let deadline = Date().addingTimeInterval(20)
        while !((try? RawHTTPClient(port: port, readTimeoutSeconds: 1))?.request("GET", "/healthz")?.status == 200) {
            guard Date() < deadline else { return XCTFail("simpul serve did not answer") }
            usleep(50_000)
        }
        let tokens = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/tokens.json"))) as? [String: Any])
        let publisher = try XCTUnwrap((tokens["publishers"] as? [String: String])?["population"])
        let published = try RawHTTPClient(port: port).request(
            "POST", "/v1/sources/population/records",
            headers: [("Authorization", "Bearer \(publisher)"), ("Content-Type", "text/csv")],
            body: try RepositoryPaths.sample("population", "valid.csv"))
        XCTAssertEqual(published?.status, 202)
        kill(process.processIdentifier, SIGHUP)
        usleep(300_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "SIGHUP must not end the server")

        let text = try String(contentsOfFile: output, encoding: .utf8)
        let script = """
            import json, sys
            for line in open(sys.argv[1], encoding='utf-8'):
                value = json.loads(line)
                assert set(['time', 'level', 'label', 'message']) <= set(value), line
                print(value['message'])
            """
        let parsed = try runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, output])
        XCTAssertEqual(parsed.status, 0, "a line is not a JSON object: \(parsed.standardError)\n\(text)")
        let messages = parsed.standardOutput
        for expected in ["first start: created the admin token", "listening on http://127.0.0.1:\(port)",
                         "SIGHUP: reloaded", "SIGTERM received", "stopped cleanly"] {
            XCTAssertTrue(messages.contains(expected), "no \"\(expected)\" in:\n\(messages)")
        }
        var secrets = [try XCTUnwrap(tokens["admin"] as? String)]
        secrets += (tokens["publishers"] as? [String: String] ?? [:]).values
        for secret in secrets { XCTAssertFalse(text.contains(secret), "a token reached the log") }
    }
}
