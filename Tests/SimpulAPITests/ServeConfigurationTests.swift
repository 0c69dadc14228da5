import Foundation
import SimpulAPI
import SimpulServer
import SimpulTestSupport
import XCTest

/// Goal (issue 7): the config the installer ships (`deploy/simpul.example.json`) loads, its
/// limits are Simpul's defaults (which the nginx example and deploy/README.md repeat), and a
/// wrong log format is refused naming the key.
final class ServeConfigurationTests: XCTestCase {
    func testShippedConfigLoadsWithTheDocumentedValues() throws {
        let configuration = try ServeConfiguration.load(file: RepositoryPaths.root() + "/deploy/simpul.example.json")
        XCTAssertEqual(configuration.logFormat, .json)
        XCTAssertEqual(configuration.bus.dataDirectory, "/var/lib/simpul/data")
        XCTAssertEqual(configuration.bus.adaptersDirectory, "/etc/simpul/adapters")
        XCTAssertEqual(configuration.tokenFile, "/var/lib/simpul/first-start-tokens.json")
        XCTAssertEqual(configuration.bus.resolvedBackupsDirectory, "/var/backups/simpul", "the folder the unit lets the service write")
        let defaults = HTTPServerConfiguration()
        XCTAssertEqual(configuration.http.bodyBytesMax, defaults.bodyBytesMax)
        XCTAssertEqual(configuration.http.headerBytesMax, defaults.headerBytesMax)
        XCTAssertEqual(configuration.http.connectionCountMax, defaults.connectionCountMax)
        XCTAssertEqual(configuration.http.requestTimeout, defaults.requestTimeout)
        XCTAssertEqual(configuration.http.idleTimeout, defaults.idleTimeout)
        XCTAssertEqual(configuration.http.host, "127.0.0.1", "Simpul stays behind the TLS proxy")
    }

    func testDefaultLogFormatIsTextAndAWrongOneNamesTheKey() throws {
        XCTAssertEqual(ServeConfiguration().logFormat, .text)
        let directory = try TemporaryDirectory("config")
        defer { directory.remove() }
        let file = directory.path + "/simpul.json"
        try #"{"logFormat": "yaml"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ServeConfiguration.load(file: file)) { error in
            XCTAssertEqual("\(error)", #"config key "logFormat": "yaml" is not a log format; use "text" or "json""#)
        }
    }

    func testDeliveryLeaseTtlIsReadOnJetStreamAndAWrongOneNamesTheKey() throws {
        XCTAssertEqual(ServeConfiguration().deliveryLeaseTtl, .seconds(15), "the design page's default")
        let directory = try TemporaryDirectory("config")
        defer { directory.remove() }
        let file = directory.path + "/simpul.json"
        func log(_ ttl: String) -> String {
            #"{"log": {"backend": "jetstream", "servers": ["nats://127.0.0.1:4222"], "replicas": 1, "acceptDataLossRisk": true, "deliveryLeaseTtlSeconds": \#(ttl)}}"#
        }
        try log("20").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ServeConfiguration.load(file: file).deliveryLeaseTtl, .seconds(20))
        try log("1").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ServeConfiguration.load(file: file)) { error in
            XCTAssertTrue("\(error)".contains("log.deliveryLeaseTtlSeconds"), "\(error)")
        }
    }

    /// The config key table of deploy/README.md names exactly the keys Simpul knows (as its
    /// own "unknown key" message lists them), and the shipped config uses only those.
    func testReadmeTableListsExactlyTheKnownKeys() throws {
        let directory = try TemporaryDirectory("config-keys")
        defer { directory.remove() }
        func knownKeys(_ json: String, prefix: String) throws -> Set<String> {
            let file = directory.path + "/probe.json"
            try json.write(toFile: file, atomically: true, encoding: .utf8)
            var message = ""
            XCTAssertThrowsError(try ServeConfiguration.load(file: file)) { message = "\($0)" }
            let list = try XCTUnwrap(message.components(separatedBy: "the known keys here are ").last)
            return Set(list.components(separatedBy: ", ").map { prefix + $0 })
        }
        var known = try knownKeys(#"{"probe": 1}"#, prefix: "")
        known.formUnion(try knownKeys(#"{"limits": {"probe": 1}}"#, prefix: "limits."))
        known.formUnion(try knownKeys(#"{"log": {"probe": 1}}"#, prefix: "log."))
        known.formUnion(try knownKeys(#"{"delivery": {"probe": 1}}"#, prefix: "delivery."))
        known.subtract(["limits", "log", "delivery"])

        let readme = try String(contentsOfFile: RepositoryPaths.root() + "/deploy/README.md", encoding: .utf8)
        let table = try XCTUnwrap(readme.components(separatedBy: "| key | default | meaning |").last)
        var documented: Set<String> = []
        for row in table.split(separator: "\n") where row.hasPrefix("| `") {
            let keyCell = row.split(separator: "|").first ?? ""
            for part in keyCell.split(separator: "`").enumerated() where part.offset % 2 == 1 { documented.insert(String(part.element)) }
        }
        XCTAssertEqual(documented, known, "deploy/README.md's key table and the config reader disagree")

        let example = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.root() + "/deploy/simpul.example.json"))) as? [String: Any])
        var used: Set<String> = []
        for (key, value) in example {
            if let inner = value as? [String: Any] { used.formUnion(inner.keys.map { key + "." + $0 }) } else { used.insert(key) }
        }
        XCTAssertTrue(used.isSubset(of: known), "unknown keys in the example: \(used.subtracting(known))")
    }
}
