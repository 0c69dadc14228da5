import Foundation
import SimpulTestSupport
import XCTest

/// `simpul serve --listen 127.0.0.1:0` lets the system choose the port; the token file of
/// the first start then names the port it listens on, so `simpul` finds the server.
final class ServeEphemeralPortTests: XCTestCase {
    func testTheTokenFileNamesThePortTheSystemChose() throws {
        let directory = try TemporaryDirectory("serve-port-0")
        defer { directory.remove() }
        let tokenFile = directory.path + "/tokens.json"
        let process = Process()
        process.executableURL = Products.executable("simpul")
        process.arguments = ["serve", "--data-dir", directory.path + "/data", "--listen", "127.0.0.1:0",
                             "--adapters-dir", RepositoryPaths.adapters]
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = tokenFile
        process.environment = environment
        let output = directory.path + "/stdout.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: output, contents: nil))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let marker = "listening on http://127.0.0.1:"
        let deadline = Date().addingTimeInterval(20)
        var url: String?
        while url == nil, Date() < deadline {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: marker) {
                url = "http://127.0.0.1:" + text[range.upperBound...].prefix { $0.isNumber }
            } else {
                usleep(50_000)
            }
        }
        let listening = try XCTUnwrap(url, "simpul serve did not say where it listens")
        XCTAssertFalse(listening.hasSuffix(":0"))
        let tokens = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: tokenFile))) as? [String: Any])
        XCTAssertEqual(tokens["server"] as? String, listening)

        let stats = try runCommand(Products.executable("simpul"), ["stats", "--json"], environment: environment)
        XCTAssertEqual(stats.status, 0, "simpul finds the server through the token file: \(stats.standardError)")
    }
}
