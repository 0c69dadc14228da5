import Foundation
import SimpulTestSupport
import XCTest

/// Finding the external tools the deploy tests drive (`make test-deps` installs them).
enum DeployTools {
    static let repository = RepositoryPaths.root()

    /// The executable `name` on `PATH`, or nil.
    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `name` on `PATH`, or skips the test saying how to get it.
    static func require(_ name: String, _ package: String) throws -> String {
        guard let found = onPath(name) else {
            throw XCTSkip("\(name) is not installed: `make test-deps` installs Debian's \(package)")
        }
        return found
    }

    /// Debian's nginx: on `PATH`, or unpacked by `make test-deps` into `.build-tools/nginx`.
    static func nginx() throws -> String {
        if let found = onPath("nginx") { return found }
        let unpacked = repository + "/.build-tools/nginx/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: unpacked) else {
            throw XCTSkip("nginx is not available: `make test-deps` unpacks Debian's nginx into .build-tools/nginx")
        }
        return unpacked
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        try runCommand(URL(fileURLWithPath: executable), arguments)
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: repository + "/" + relativePath, encoding: .utf8)
    }
}
