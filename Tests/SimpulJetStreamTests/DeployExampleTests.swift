import Foundation
import SimpulTestSupport
import XCTest

/// Goal (issue 8): the cluster example an admin copies is a valid nats-server config that
/// keeps J1's promise (each write synced before the PubAck).
final class DeployExampleTests: XCTestCase {
    func testEachExampleServerConfigIsValidAndSyncsEveryWrite() throws {
        guard let executable = NATSServerProcess.executable() else { throw XCTSkip(NATSServerProcess.unavailableReason ?? "") }
        let folder = RepositoryPaths.root() + "/deploy/nats"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".conf") }.sorted()
        XCTAssertEqual(files, ["nats-1.conf", "nats-2.conf", "nats-3.conf"])
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            XCTAssertTrue(text.contains("sync_interval: always"), file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-t", "-c", folder + "/" + file]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(file): \(said)")
        }
    }
}
