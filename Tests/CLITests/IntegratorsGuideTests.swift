import Foundation
import SimpulTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Goal (issue 7, docs/integrators.md): the guide's steps work as written — its adapter is
/// the example file, `adapters test` prints what the guide shows, and a running server
/// given the adapter by SIGHUP and a new publisher token accepts the export, quarantines
/// the refused records and serves the events.
final class IntegratorsGuideTests: XCTestCase {
    private let example = RepositoryPaths.root() + "/docs/examples/adapters/oss"

    func testGuideEmbedsTheExampleAdapterVerbatim() throws {
        let guide = try String(contentsOfFile: RepositoryPaths.root() + "/docs/integrators.md", encoding: .utf8)
        let marker = try XCTUnwrap(guide.range(of: "<!-- adapter.json:"))
        let afterMarker = guide[marker.upperBound...]
        let start = try XCTUnwrap(afterMarker.range(of: "```json\n"))
        let end = try XCTUnwrap(afterMarker[start.upperBound...].range(of: "```\n"))
        let embedded = String(afterMarker[start.upperBound..<end.lowerBound])
        XCTAssertEqual(embedded, try String(contentsOfFile: example + "/adapter.json", encoding: .utf8))
    }

    func testAdaptersTestPrintsWhatTheGuideShows() throws {
        let guide = try String(contentsOfFile: RepositoryPaths.root() + "/docs/integrators.md", encoding: .utf8)
        let directory = try TemporaryDirectory("guide")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/adapters", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: example, toPath: directory.path + "/adapters/oss")
        for (sample, status) in [("valid", Int32(0)), ("invalid", Int32(1))] {
            let file = "adapters/oss/samples/\(sample).json"
            let result = try runCommand(Products.executable("simpul"), [
                "adapters", "test", "oss", directory.path + "/" + file, "--adapters-dir", directory.path + "/adapters",
                "--schemas-dir", RepositoryPaths.root() + "/schemas", "--time", "2026-11-22T03:00:00Z"])
            XCTAssertEqual(result.status, status, result.standardError)
            let shown = result.standardOutput.replacingOccurrences(of: directory.path + "/", with: "")
            XCTAssertTrue(guide.contains("```\n" + shown + "```"), "docs/integrators.md does not show this output:\n\(shown)")
        }
        // The typo the guide promises to catch.
        let adapter = directory.path + "/adapters/oss/adapter.json"
        let text = try String(contentsOfFile: adapter, encoding: .utf8)
        try text.replacingOccurrences(of: "\"nib\": { \"from\": \"nib\", \"transforms\"", with: "\"nib\": { \"from\": \"nib\", \"tranforms\"")
            .write(toFile: adapter, atomically: true, encoding: .utf8)
        let typo = try runCommand(Products.executable("simpul"), [
            "adapters", "test", "oss", directory.path + "/adapters/oss/samples/valid.json", "--adapters-dir", directory.path + "/adapters"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.standardError.contains("at fields.nib.tranforms: unknown key \"tranforms\""), typo.standardError)
    }

    func testServerTakesTheAdapterByReloadAndPublishesTheExport() throws {
        let directory = try TemporaryDirectory("guide-serve")
        defer { directory.remove() }
        let adapters = directory.path + "/adapters", data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: adapters, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RepositoryPaths.adapters + "/population", toPath: adapters + "/population")
        let port = 26_000 + Int.random(in: 0..<2000)
        let server = Process()
        server.executableURL = Products.executable("simpul")
        server.arguments = ["serve", "--data-dir", data, "--listen", "127.0.0.1:\(port)", "--adapters-dir", adapters]
        var environment = ProcessInfo.processInfo.environment
        environment["SIMPUL_TOKEN_FILE"] = directory.path + "/tokens.json"
        server.environment = environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let deadline = Date().addingTimeInterval(20)
        while !((try? RawHTTPClient(port: port, readTimeoutSeconds: 1))?.request("GET", "/healthz")?.status == 200) {
            guard Date() < deadline else { return XCTFail("simpul serve did not answer") }
            usleep(50_000)
        }

        // Steps 4 and 5: the adapter folder, a publisher token, one reload.
        try FileManager.default.copyItem(atPath: example, toPath: adapters + "/oss")
        let created = try runCommand(Products.executable("simpul"), [
            "tokens", "create", "--kind", "publisher", "--name", "dpmptsp-oss", "--source", "oss", "--data-dir", data])
        XCTAssertEqual(created.status, 0, created.standardError)
        let token = try XCTUnwrap(created.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("spl_pub_") })
        kill(server.processIdentifier, SIGHUP)

        // Step 6: publish (after the reload took effect), then the same file again, then the refused one.
        func publish(_ sample: String) throws -> RawHTTPClient.Response? {
            try RawHTTPClient(port: port).request(
                "POST", "/v1/sources/oss/records",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: Array(try Data(contentsOf: URL(fileURLWithPath: example + "/samples/\(sample).json"))))
        }
        var first = try publish("valid")
        let reloadDeadline = Date().addingTimeInterval(10)
        while first?.status != 202 && Date() < reloadDeadline {
            usleep(100_000)
            first = try publish("valid")
        }
        XCTAssertEqual(first?.status, 202, first?.bodyText ?? "")
        XCTAssertTrue(first?.bodyText.contains("\"published\":2") ?? false, first?.bodyText ?? "")
        let again = try publish("valid")
        XCTAssertEqual(again?.status, 200)
        XCTAssertTrue(again?.bodyText.contains("\"duplicates\":2") ?? false, again?.bodyText ?? "")
        let refused = try publish("invalid")
        XCTAssertEqual(refused?.status, 422)
        XCTAssertTrue(refused?.bodyText.contains("\"rejected\":4") ?? false, refused?.bodyText ?? "")
        let other = try RawHTTPClient(port: port).request(
            "POST", "/v1/sources/population/records",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], body: try RepositoryPaths.sample("population", "valid.csv"))
        XCTAssertEqual(other?.status, 403, "the token publishes to its own source only")

        // Step 7: the events, through the CLI with the admin token of the first start.
        var cli = environment
        cli["SIMPUL_SERVER"] = "http://127.0.0.1:\(port)"
        let tail = try runCommand(Products.executable("simpul"), ["topics", "tail", "city.business.business"], environment: cli)
        XCTAssertEqual(tail.status, 0, tail.standardError)
        XCTAssertTrue(tail.standardOutput.contains("city.business.business.registered  business/9120001234567"), tail.standardOutput)
        XCTAssertTrue(tail.standardOutput.contains("business/9120007654321"), tail.standardOutput)
        let quarantine = try runCommand(Products.executable("simpul"), ["quarantine", "list"], environment: cli)
        XCTAssertTrue(quarantine.standardOutput.contains("4 open"), quarantine.standardOutput)
    }
}
