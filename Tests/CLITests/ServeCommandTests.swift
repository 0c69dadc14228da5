import Foundation
import XCTest
import SimpulLog
import SimpulTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 2, `make run`): `simpul serve` opens the log under its data directory and
/// stops cleanly, exit 0, on SIGTERM and on SIGINT.
final class ServeCommandTests: XCTestCase {
    func testServeStopsCleanlyOnSignals() throws {
        for signal in [SIGTERM, SIGINT] {
            let directory = try TemporaryDirectory("serve")
            defer { directory.remove() }
            let process = Process()
            process.executableURL = Products.executable("simpul")
            process.arguments = ["serve", "--data-dir", directory.path + "/data"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: directory.path + "/data/topics") && Date() < deadline {
                usleep(20_000)
            }
            usleep(200_000)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(process.terminationStatus, 0, text)
            XCTAssertTrue(text.contains("stopped cleanly"), text)
        }
    }
}
