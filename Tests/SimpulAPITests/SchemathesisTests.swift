import Foundation
import XCTest
@testable import SimpulAPI
import SimpulTestSupport

/// Goal (issue 4): Schemathesis, an independent generator of requests from
/// `docs/openapi.yaml`, finds no 5xx and no response that breaks the document, in a
/// bounded number of examples per operation. Business refusals of generated data (a 422 for
/// a CloudEvent whose `data` breaks its schema) are expected, so that one check is off.
/// Run with `SIMPUL_SCHEMATHESIS_SEED=random` to look further than CI's fixed seed.
final class SchemathesisTests: XCTestCase {
    func testLiveServerMatchesItsOpenAPIDocument() async throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
        guard let schemathesis = path.split(separator: ":").map({ "\($0)/schemathesis" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("schemathesis is not installed (make test installs it with pip)")
        }
        let api = try await LiveAPI()
        // A fixed seed keeps CI reproducible: 953594 is the run that found the DLQ replay body
        // accepting wrong types. SIMPUL_SCHEMATHESIS_SEED=random (or a number) explores others.
        let requested = ProcessInfo.processInfo.environment["SIMPUL_SCHEMATHESIS_SEED"]
        let seed = requested == "random" ? Int.random(in: 1...1_000_000) : requested.flatMap { Int($0) } ?? 953_594
        let process = Process()
        process.executableURL = URL(fileURLWithPath: schemathesis)
        process.arguments = ["run", RepositoryPaths.root() + "/docs/openapi.yaml", "--url", "http://127.0.0.1:\(api.port)",
                             "-H", "Authorization: Bearer \(api.admin)", "-n", "20", "--seed", String(seed),
                             "--request-timeout", "35", "--exclude-checks", "positive_data_acceptance"]
        process.currentDirectoryURL = URL(fileURLWithPath: api.directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        await api.stop()
        XCTAssertEqual(process.terminationStatus, 0, "schemathesis (seed \(seed)) found problems:\n\(text.suffix(6000))")
    }
}
