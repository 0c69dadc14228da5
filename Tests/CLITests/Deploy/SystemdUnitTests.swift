import Foundation
import SimpulTestSupport
import XCTest

/// Goal (issue 7): `deploy/simpul.service` is a unit systemd accepts without a single
/// warning, with the hardening deploy/README.md promises, and an exposure score systemd
/// itself rates "OK" (at most 2.0 of 10).
final class SystemdUnitTests: XCTestCase {
    /// A copy of the unit whose ExecStart names the `simpul` just built: `verify` checks that
    /// the command exists, and /usr/local/bin/simpul does not on a build machine.
    private func unitCopy(replacing original: String = "", with replacement: String = "") throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("unit")
        var text = try DeployTools.text("deploy/simpul.service")
        text = text.replacingOccurrences(of: "/usr/local/bin/simpul", with: Products.executable("simpul").path)
        if !original.isEmpty {
            XCTAssertTrue(text.contains(original), "the unit no longer holds \(original)")
            text = text.replacingOccurrences(of: original, with: replacement)
        }
        let path = directory.path + "/simpul.service"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    func testSystemdAnalyzeVerifiesTheUnitWithoutWarnings() throws {
        let analyze = try DeployTools.require("systemd-analyze", "systemd")
        let (directory, path) = try unitCopy()
        defer { directory.remove() }
        let result = try DeployTools.run(analyze, ["verify", path])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.standardOutput + result.standardError, "", "systemd-analyze verify warned")
    }

    /// The check above can fail: `verify` only warns (exit 0) on a misspelt key, and the
    /// test reads its output for that reason.
    func testAMisspeltHardeningKeyIsCaught() throws {
        let analyze = try DeployTools.require("systemd-analyze", "systemd")
        let (directory, path) = try unitCopy(replacing: "ProtectSystem=strict", with: "ProtectSystm=strict")
        defer { directory.remove() }
        let result = try DeployTools.run(analyze, ["verify", path])
        XCTAssertTrue(result.standardError.contains("Unknown key 'ProtectSystm'"), result.standardError)
    }

    func testExposureScoreIsRatedOK() throws {
        let analyze = try DeployTools.require("systemd-analyze", "systemd")
        let (directory, path) = try unitCopy()
        defer { directory.remove() }
        let result = try DeployTools.run(analyze, ["security", "--offline=yes", "--threshold=20", "--no-pager", path])
        XCTAssertEqual(result.status, 0, "exposure above 2.0:\n" + result.standardOutput.suffix(600))
        XCTAssertTrue(result.standardOutput.contains("Overall exposure level for simpul.service"), result.standardOutput)
    }

    func testUnitCarriesThePromisedSettings() throws {
        var settings: [String: [String]] = [:]
        for line in try DeployTools.text("deploy/simpul.service").split(separator: "\n") {
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        let expected: [String: String] = [
            "User": "simpul", "Group": "simpul", "StateDirectory": "simpul", "ProtectSystem": "strict",
            "NoNewPrivileges": "yes", "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "",
            "AmbientCapabilities": "", "Restart": "on-failure", "LimitNOFILE": "65536",
            "ExecReload": "/bin/kill -HUP $MAINPID",
            "ExecStart": "/usr/local/bin/simpul serve --config /etc/simpul/simpul.json",
            "ReadWritePaths": "-/var/backups/simpul",
        ]
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(settings[key], [value], key)
        }
    }
}
