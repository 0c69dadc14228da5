import Foundation
import SimpulTestSupport
import XCTest

/// Goal (issue 7): `deploy/install.sh` puts binary, unit, config, adapters and schemas where
/// the unit and the config expect them, and is idempotent: a second run writes nothing
/// (same files, modes and modification times). An admin's edited config is never overwritten.
final class InstallScriptTests: XCTestCase {
    private func install(root: String, prefix: String? = nil) throws -> CommandResult {
        var arguments = [DeployTools.repository + "/deploy/install.sh", "--root", root,
                         "--binary", Products.executable("simpul").path]
        if let prefix { arguments += ["--prefix", prefix] }
        let result = try runCommand(URL(fileURLWithPath: "/bin/bash"), arguments)
        XCTAssertEqual(result.status, 0, result.standardOutput + result.standardError)
        return result
    }

    /// Every path under `root` with its kind, mode, size, modification time and content.
    private func tree(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        for relative in try manager.subpathsOfDirectory(atPath: root) {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let mode = String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8)
            var entry = "\(attributes[.type] ?? "?") \(mode) \(attributes[.size] ?? 0) \(modified)"
            if attributes[.type] as? FileAttributeType == .typeRegular {
                entry += " \(try Data(contentsOf: URL(fileURLWithPath: path)).hashValue)"
            }
            entries[relative] = entry
        }
        return entries
    }

    private func mode(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return String((attributes?[.posixPermissions] as? Int) ?? -1, radix: 8)
    }

    func testInstallPlacesEveryFileAndASecondRunChangesNothing() throws {
        let directory = try TemporaryDirectory("install")
        defer { directory.remove() }
        let root = directory.path + "/root"
        let first = try install(root: root)
        XCTAssertTrue(first.standardOutput.contains("change(s)"), first.standardOutput)

        let expectedModes = [
            "/usr/local/bin/simpul": "755", "/etc/systemd/system/simpul.service": "644",
            "/etc/simpul/simpul.json": "640", "/etc/simpul/adapters/population/adapter.json": "644",
            "/usr/local/share/simpul/schemas/person.v1.json": "644", "/var/backups/simpul": "700",
        ]
        for (path, expected) in expectedModes.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(mode(root + path), expected, path)
        }
        XCTAssertTrue(FileManager.default.contentsEqual(atPath: root + "/usr/local/bin/simpul",
                                                        andPath: Products.executable("simpul").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/share/simpul/schemas/tools"),
                       "only the schema files are installed, not the repository's tools")

        let before = try tree(root)
        let second = try install(root: root)
        XCTAssertEqual(second.standardOutput, "nothing to change: Simpul is installed and up to date\n")
        XCTAssertEqual(try tree(root), before, "the second run changed the installed tree")
    }

    /// With another prefix the unit and the config follow it, and the config's folders exist.
    func testInstalledConfigMatchesTheInstalledTreeForAnyPrefix() throws {
        let directory = try TemporaryDirectory("install-prefix")
        defer { directory.remove() }
        let root = directory.path + "/root"
        _ = try install(root: root, prefix: "/opt/simpul")
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/simpul.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/opt/simpul/bin/simpul serve --config /etc/simpul/simpul.json"), unit)
        let configText = try String(contentsOfFile: root + "/etc/simpul/simpul.json", encoding: .utf8)
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any])
        XCTAssertEqual(config["schemasDir"] as? String, "/opt/simpul/share/simpul/schemas")
        for key in ["schemasDir", "adaptersDir"] {
            let path = try XCTUnwrap(config[key] as? String)
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + path), "\(key) \(path) was not installed")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + (config["adaptersDir"] as? String ?? "") + "/population/adapter.json"))
    }

    func testAnEditedConfigIsKeptAndTheShippedOneLandsBesideIt() throws {
        let directory = try TemporaryDirectory("install-edit")
        defer { directory.remove() }
        let root = directory.path + "/root"
        _ = try install(root: root)
        let config = root + "/etc/simpul/simpul.json"
        let edited = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:9090")
        try edited.write(toFile: config, atomically: true, encoding: .utf8)

        let run = try install(root: root)
        XCTAssertTrue(run.standardOutput.contains("kept       /etc/simpul/simpul.json"), run.standardOutput)
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), edited)
        XCTAssertEqual(try String(contentsOfFile: config + ".dist", encoding: .utf8),
                       try DeployTools.text("deploy/simpul.example.json"))
        XCTAssertEqual(try install(root: root).standardOutput, "nothing to change: Simpul is installed and up to date\n")
    }

    func testScriptsPassBashSyntaxCheckAndShellcheck() throws {
        let scripts = ["deploy/install.sh", "bench/peers/run"]
        for script in scripts {
            let syntax = try runCommand(URL(fileURLWithPath: "/bin/bash"), ["-n", DeployTools.repository + "/" + script])
            XCTAssertEqual(syntax.status, 0, "\(script): \(syntax.standardError)")
        }
        let shellcheck = try DeployTools.require("shellcheck", "shellcheck")
        let result = try DeployTools.run(shellcheck, scripts.map { DeployTools.repository + "/" + $0 })
        XCTAssertEqual(result.status, 0, result.standardOutput)
    }

    func testInstallRefusesUnknownArgumentsWithUsage() throws {
        let result = try runCommand(URL(fileURLWithPath: "/bin/bash"),
                                    [DeployTools.repository + "/deploy/install.sh", "--prefx", "/opt"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("unknown argument '--prefx'"), result.standardError)
        XCTAssertTrue(result.standardError.contains("usage: deploy/install.sh"), result.standardError)
    }
}
